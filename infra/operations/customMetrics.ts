// The custom metrics the handlers publish in CloudWatch embedded metric format and the alarms
// read. The names are a contract with functions/handlers/ (docs/deploy.md shows the log line).
export const CUSTOM_METRICS = {
  namespace: 'LtvPulse',
  /** Dimension whose value is the stack name, so two deployments in one account stay apart. */
  dimension: 'Deployment',
  /** Per ingested export: rejected rows / rows read (0..1). */
  rejectedRowRatio: 'RejectedRowRatio',
  /** Per ingested export: rows accepted into the lake (count). */
  rowsIngested: 'RowsIngested',
  /** Environment variable that gives the handlers the dimension's value. */
  deploymentVariable: 'LTV_DEPLOYMENT',
} as const;
