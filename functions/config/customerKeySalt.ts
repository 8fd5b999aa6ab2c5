// The key of pseudonymous customer ids (docs/ingest-presets.md): given directly in
// LTV_CUSTOMER_KEY_SALT (a local run), or by the name of an SSM Parameter Store parameter in
// LTV_CUSTOMER_KEY_SALT_PARAMETER (a deployment: the key never sits in a function's
// configuration, and it stays the same across deploys, so customer ids do too).
export const CUSTOMER_KEY_SALT_VARIABLE = 'LTV_CUSTOMER_KEY_SALT';
export const CUSTOMER_KEY_SALT_PARAMETER_VARIABLE = 'LTV_CUSTOMER_KEY_SALT_PARAMETER';

/** Reads one decrypted parameter; the adapter for Parameter Store, replaceable in tests. */
export type ParameterReader = (name: string) => Promise<string>;

export const readSsmParameter: ParameterReader = async (name) => {
  // Loaded only when a parameter is configured: most runs never need the SSM client.
  const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
  const out = await new SSMClient({}).send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  return out.Parameter?.Value ?? '';
};

/** Salts read from Parameter Store, per parameter name, for the life of the process (a Lambda container). */
const cache = new Map<string, Promise<string>>();

/**
 * The salt, '' when none is configured. A configured parameter that cannot be read, or is empty,
 * fails the ingest: ids hashed without their key would not match the ones already in the lake.
 */
export async function customerKeySaltOf(env: NodeJS.ProcessEnv, read: ParameterReader = readSsmParameter): Promise<string> {
  const direct = env[CUSTOMER_KEY_SALT_VARIABLE];
  const parameter = env[CUSTOMER_KEY_SALT_PARAMETER_VARIABLE];
  if (direct !== undefined && parameter !== undefined) {
    throw new Error(`set ${CUSTOMER_KEY_SALT_VARIABLE} or ${CUSTOMER_KEY_SALT_PARAMETER_VARIABLE}, not both: each gives the customer-key salt`);
  }
  if (parameter === undefined) return direct ?? '';
  const cached = cache.get(parameter) ?? fetchSalt(parameter, read);
  cache.set(parameter, cached);
  try {
    return await cached;
  } catch (err) {
    cache.delete(parameter);
    throw err;
  }
}

async function fetchSalt(parameter: string, read: ParameterReader): Promise<string> {
  let value: string;
  try {
    value = await read(parameter);
  } catch (err) {
    const e = err as { name?: string; message?: string };
    throw new Error(
      `${CUSTOMER_KEY_SALT_PARAMETER_VARIABLE}: cannot read the customer-key salt from the SSM parameter ${parameter}: ${e.message ?? String(err)}${e.name ? ` (${e.name})` : ''}; ` +
        'create it as a SecureString (docs/deploy.md, "Customer-key salt") and ingest the export again',
      { cause: err },
    );
  }
  if (value === '') throw new Error(`${CUSTOMER_KEY_SALT_PARAMETER_VARIABLE}: the SSM parameter ${parameter} is empty; put the customer-key salt in it`);
  return value;
}
