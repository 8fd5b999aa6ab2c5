import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { customerKeySaltOf } from '../../functions/config/customerKeySalt.ts';
import { parseConfig } from '../../functions/config/load.ts';
import { ingestSettingsOf } from '../../functions/pipeline/ingestSettings.ts';

// Parameter Store has no local stand-in: the SSM client is mocked, faults included.
const ssm = mockClient(SSMClient);

afterEach(() => {
  ssm.reset();
});

describe('the customer-key salt', () => {
  it('is LTV_CUSTOMER_KEY_SALT when given directly, and empty when nothing is configured', async () => {
    expect(await customerKeySaltOf({ LTV_CUSTOMER_KEY_SALT: 'local-key' })).toBe('local-key');
    expect(await customerKeySaltOf({})).toBe('');
    expect(ssm.calls()).toHaveLength(0);
  });

  it('is read decrypted from the SSM parameter LTV_CUSTOMER_KEY_SALT_PARAMETER names, once per process', async () => {
    // Prepare
    ssm.on(GetParameterCommand, { Name: '/ltv-pulse/salt-once', WithDecryption: true }).resolves({ Parameter: { Name: '/ltv-pulse/salt-once', Value: 'k3y-from-ssm', Type: 'SecureString' } });
    const env = { LTV_CUSTOMER_KEY_SALT_PARAMETER: '/ltv-pulse/salt-once' };

    // Act
    const first = await customerKeySaltOf(env);
    const second = await customerKeySaltOf(env);

    // Assess
    expect([first, second]).toEqual(['k3y-from-ssm', 'k3y-from-ssm']);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('reaches the ingest settings, so Shopify and Stripe ids are keyed with it', async () => {
    // Prepare
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'deployment-key' } });

    // Act
    const settings = await ingestSettingsOf(parseConfig({ exports: { preset: 'shopify' } }, 'test'), {}, { LTV_CUSTOMER_KEY_SALT_PARAMETER: '/ltv-pulse/salt-settings' });

    // Assess
    expect(settings.customerKeySalt).toBe('deployment-key');
  });

  it('fails the ingest, naming the parameter and what to do, when the parameter cannot be read', async () => {
    // Prepare
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'Parameter /ltv-pulse/missing not found', $metadata: { httpStatusCode: 400 } }));

    // Act / Assess
    await expect(customerKeySaltOf({ LTV_CUSTOMER_KEY_SALT_PARAMETER: '/ltv-pulse/missing' })).rejects.toThrow(
      'LTV_CUSTOMER_KEY_SALT_PARAMETER: cannot read the customer-key salt from the SSM parameter /ltv-pulse/missing: Parameter /ltv-pulse/missing not found (ParameterNotFound); create it as a SecureString',
    );
  });

  it('tries again on the next ingest after a failed read, rather than remembering the failure', async () => {
    // Prepare
    ssm.on(GetParameterCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).resolves({ Parameter: { Value: 'second-time' } });
    const env = { LTV_CUSTOMER_KEY_SALT_PARAMETER: '/ltv-pulse/salt-flaky' };

    // Act / Assess
    await expect(customerKeySaltOf(env)).rejects.toThrow(/socket hang up/);
    expect(await customerKeySaltOf(env)).toBe('second-time');
  });

  it('refuses an empty parameter, and a salt given both ways', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '' } });
    await expect(customerKeySaltOf({ LTV_CUSTOMER_KEY_SALT_PARAMETER: '/ltv-pulse/empty' })).rejects.toThrow('the SSM parameter /ltv-pulse/empty is empty');
    await expect(customerKeySaltOf({ LTV_CUSTOMER_KEY_SALT: 'a', LTV_CUSTOMER_KEY_SALT_PARAMETER: '/b' })).rejects.toThrow('set LTV_CUSTOMER_KEY_SALT or LTV_CUSTOMER_KEY_SALT_PARAMETER, not both');
  });
});
