import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stackUnderTest } from './stackUnderTest.ts';

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

/** Every acknowledged rule in the tree, where it was acknowledged and why. */
function acknowledgementsIn(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason }))),
  ).filter((a) => a.id.startsWith('AwsSolutions-'));
}

/** cdk-nag's findings, as `<rule id> at <construct path>`. */
function findingsIn(root: IConstruct): string[] {
  const report = new AwsSolutionsChecks(root).validateScope(root);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)).sort();
}

afterEach(() => vi.restoreAllMocks());

describe('cdk-nag AWS Solutions checks', () => {
  it.each([
    ['the default settings', {}],
    ['an exports prefix and an alarm e-mail', { exportsPrefix: 'crm/daily', alarmEmail: 'ops@acme.example' }],
  ])('leave no finding unacknowledged with %s', (_label, overrides) => {
    // Prepare
    const { app } = stackUnderTest(overrides);

    // Act
    const findings = findingsIn(app);

    // Assess
    expect(findings).toEqual([]);
  });

  it('run as a validation plugin, so a synth with a new finding fails', () => {
    // Prepare
    const { app } = stackUnderTest({}, { nag: true });

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
  });

  it('acknowledge only findings that are really there, each where it arises', () => {
    // Prepare: the same stack with every acknowledgement switched off shows the raw findings
    const acknowledged = acknowledgementsIn(stackUnderTest().app).map((a) => `${a.id} at ${a.path}`);
    const acknowledge = Validations.prototype.acknowledge;
    vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...rules) {
      // CDK acknowledges some of its own checks; only cdk-nag's are switched off.
      const others = rules.filter((r) => !r.id.startsWith('AwsSolutions-'));
      if (others.length > 0) acknowledge.apply(this, others);
    });

    // Act
    const raw = findingsIn(stackUnderTest().app);

    // Assess: every raw finding sits at or below an acknowledgement of its rule, and vice versa
    expect(raw.length).toBeGreaterThan(0);
    const covers = (ack: string, finding: string) => {
      const [ackId, ackPath] = ack.split(' at ') as [string, string];
      const [id, path] = finding.split(' at ') as [string, string];
      return ackId === id && (path === ackPath || path.startsWith(`${ackPath}/`));
    };
    expect(raw.filter((f) => !acknowledged.some((a) => covers(a, f)))).toEqual([]);
    expect(acknowledged.filter((a) => !raw.some((f) => covers(a, f)))).toEqual([]);
  });

  it('acknowledge each finding with a reason specific to it', () => {
    // Act
    const acknowledged = acknowledgementsIn(stackUnderTest().app);

    // Assess
    expect(acknowledged.map((a) => `${a.id.replace(/<\w+?([A-Z]\w*?)[0-9A-F]{8}\./, '<$1.')} at ${a.path}`).sort()).toEqual(
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] at LtvPulse/BucketNotificationsHandler050a0587b7544547bf325f094a3db834',
        'AwsSolutions-IAM5[Resource::<Exports.Arn>/*] at LtvPulse/Functions/IngestRole',
        'AwsSolutions-IAM5[Resource::<Lake.Arn>/*] at LtvPulse/Functions/IngestRole',
        'AwsSolutions-IAM5[Resource::<AthenaResults.Arn>/*] at LtvPulse/Functions/WeeklyRole',
        'AwsSolutions-IAM5[Resource::<Lake.Arn>/*] at LtvPulse/Functions/WeeklyRole',
        'AwsSolutions-IAM5[Resource::<Reports.Arn>/*] at LtvPulse/Functions/WeeklyRole',
        'AwsSolutions-IAM5[Resource::<Weekly.Arn>:*] at LtvPulse/Schedule/InvokeRole',
        'AwsSolutions-L1 at LtvPulse/Functions/Ingest',
        'AwsSolutions-L1 at LtvPulse/Functions/Weekly',
        'AwsSolutions-SQS3 at LtvPulse/Functions/IngestFailures',
        'AwsSolutions-SQS3 at LtvPulse/Functions/WeeklyFailures',
        'AwsSolutions-SQS3 at LtvPulse/Schedule/DeliveryFailures',
      ].sort(),
    );
    for (const a of acknowledged) {
      expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThanOrEqual(100);
    }
  });
});
