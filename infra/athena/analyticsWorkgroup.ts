// The Athena workgroup every query of the pipeline and of analysts runs in. Its settings are
// enforced (clients cannot override them): engine v3, results in the athena-results bucket,
// encrypted, and a per-query bytes-scanned cutoff so a runaway query has a known cost ceiling.
// Every queries/*.sql is published as a named query, so analysts find the same SQL the
// report runs in the Athena console.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { parseQueryFile, QUERIES_DIR } from '../../functions/engine/queryCatalog.ts';

export interface AnalyticsWorkgroupProps {
  workGroupName: string;
  /** Database the named queries run against. */
  databaseName: string;
  athenaResults: IBucket;
  /** Decimal megabytes (10^6 bytes); at least 10, Athena's minimum. */
  bytesScannedCutoffMb: number;
  /** Folder of the .sql files (default: the repository's queries/). */
  queriesDir?: string;
}

/** CloudFormation's limits on a named query's description and name. */
const DESCRIPTION_MAX = 1024;
const NAME_MAX = 128;

export interface NamedQuerySource {
  name: string;
  description: string;
  sql: string;
}

/** Reads every .sql file of `dir` (sorted by name); the header's purpose becomes the description. */
export function readNamedQueries(dir: string): NamedQuerySource[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.sql'.length);
      const query = parseQueryFile(name, `queries/${f}`, readFileSync(path.join(dir, f), 'utf8'));
      if (name.length > NAME_MAX) throw new Error(`queries/${f}: a named query's name has at most ${NAME_MAX} characters`);
      const purpose = query.purpose.replace(/\s+/g, ' ').trim();
      const description = purpose.length <= DESCRIPTION_MAX ? purpose : `${purpose.slice(0, DESCRIPTION_MAX - 1)}…`;
      return { name, description, sql: query.sql };
    });
}

export class AnalyticsWorkgroup extends Construct {
  readonly workGroup: CfnWorkGroup;
  readonly workGroupName: string;
  readonly namedQueries: readonly CfnNamedQuery[];

  constructor(scope: Construct, id: string, props: AnalyticsWorkgroupProps) {
    super(scope, id);
    if (!Number.isInteger(props.bytesScannedCutoffMb) || props.bytesScannedCutoffMb < 10) {
      throw new Error(`bytesScannedCutoffMb must be a whole number of at least 10 (Athena's minimum), not ${props.bytesScannedCutoffMb}`);
    }
    this.workGroupName = props.workGroupName;
    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: props.workGroupName,
      description: 'ltv-pulse: the weekly report and analysts; settings enforced on every query.',
      state: 'ENABLED',
      // Saved queries and history belong to the deployment; removing the stack removes them.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffMb * 1_000_000,
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        resultConfiguration: {
          outputLocation: `s3://${props.athenaResults.bucketName}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
          // Results never go to a bucket of the same name in another account.
          expectedBucketOwner: Stack.of(this).account,
        },
      },
    });
    this.namedQueries = readNamedQueries(props.queriesDir ?? QUERIES_DIR).map(
      (q) =>
        new CfnNamedQuery(this, `Query-${q.name}`, {
          name: q.name,
          description: q.description,
          database: props.databaseName,
          queryString: q.sql,
          workGroup: this.workGroup.ref,
        }),
    );
  }

  workGroupArn(): string {
    return Stack.of(this).formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName });
  }
}
