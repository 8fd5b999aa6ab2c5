// Custom metrics as CloudWatch embedded metric format (EMF): one JSON object per log line, which
// CloudWatch turns into metrics without an API call or a cloudwatch:PutMetricData permission.
// The names are a contract with the alarms in infra/.

export const METRICS_NAMESPACE = 'LtvPulse';

/** Value of the `Deployment` dimension, so two deployments in one account keep their metrics apart. */
export const DEPLOYMENT_VARIABLE = 'LTV_DEPLOYMENT';

export type MetricUnit = 'Count' | 'None' | 'Bytes';

export interface Metric {
  name: string;
  unit: MetricUnit;
  value: number;
}

/**
 * The EMF line for some metrics; `properties` travel along for searching the logs and are not
 * metrics. Without a deployment name the metrics have no dimensions.
 */
export function emfLine(metrics: Metric[], properties: Record<string, string>, at: Date, deployment: string | undefined): string {
  const dimensions = deployment ? { Deployment: deployment } : {};
  return JSON.stringify({
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [Object.keys(dimensions)],
          Metrics: metrics.map((m) => ({ Name: m.name, Unit: m.unit })),
        },
      ],
    },
    ...properties,
    ...dimensions,
    ...Object.fromEntries(metrics.map((m) => [m.name, m.value])),
  });
}

/**
 * Writes EMF lines straight to stdout. Lambda's runtime rewraps console.log output (under the
 * JSON log format it becomes the `message` of another object), and CloudWatch extracts metrics
 * only from log events that are EMF objects themselves.
 */
export function publishMetrics(lines: string[]): void {
  for (const line of lines) process.stdout.write(`${line}\n`);
}
