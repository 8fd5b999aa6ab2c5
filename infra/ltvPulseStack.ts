// The deployment, composed of one construct per concern. Storage is in place; the catalog,
// Athena workgroup, functions, schedule and mail constructs join it here.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { StorageBuckets } from './storage/storageBuckets.ts';

export interface LtvPulseStackProps extends StackProps {
  resultsRetentionDays?: number;
}

export class LtvPulseStack extends Stack {
  readonly storage: StorageBuckets;

  constructor(scope: Construct, id: string, props: LtvPulseStackProps = {}) {
    super(scope, id, props);
    this.storage = new StorageBuckets(this, 'Storage', {
      ...(props.resultsRetentionDays !== undefined ? { resultsRetentionDays: props.resultsRetentionDays } : {}),
    });
  }
}
