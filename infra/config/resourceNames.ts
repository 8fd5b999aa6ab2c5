// Names analysts and operators look for (Glue database, Athena workgroup, SES configuration
// set) are stable and readable, derived from the stack name so that two deployments in one
// account (say LtvPulse and LtvPulseStaging) never collide.

export interface ResourceNames {
  /** Glue database: lowercase letters, digits and underscores, as Athena wants them. */
  database: string;
  workGroup: string;
  configurationSet: string;
}

export function resourceNames(stackName: string): ResourceNames {
  const kebab = stackName
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
  return { database: kebab.replaceAll('-', '_'), workGroup: kebab, configurationSet: kebab };
}
