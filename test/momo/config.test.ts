// From Sokoni's environment variables to a working client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createMomoClient, momoOptionsFromConfig } from '../../src/momo';
import { calls, startHarness, type Harness } from './helpers';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

describe('momoOptionsFromConfig', () => {
  it('maps MOMO_* and the product credentials onto client options that work', async () => {
    const { collection, disbursement } = harness.credentials;
    const config = loadConfig({
      MOMO_BASE_URL: harness.url,
      MOMO_TARGET_ENVIRONMENT: 'sandbox',
      COLLECTION_PRIMARY_KEY: collection.subscriptionKey,
      COLLECTION_USER_ID: collection.apiUser,
      COLLECTION_API_SECRET: collection.apiKey,
      DISBURSEMENT_PRIMARY_KEY: disbursement.subscriptionKey,
      DISBURSEMENT_USER_ID: disbursement.apiUser,
      DISBURSEMENT_API_SECRET: disbursement.apiKey,
      MOMO_MAX_RETRIES: '1',
      MOMO_STATUS_READS_PER_S: '7',
      MOMO_CREATES_PER_S: '9',
    });
    const options = momoOptionsFromConfig(config.momo, config.momo.baseUrl!);
    expect(options).toMatchObject({ baseUrl: harness.url, targetEnvironment: 'sandbox', maxRetries: 1, statusReadsPerSecond: 7, createsPerSecond: 9, timeoutMs: 10_000 });
    const client = createMomoClient(options);
    await expect(client.disbursement.getBalance()).resolves.toMatchObject({ currency: 'EUR' });
    await expect(client.remittance.getBalance()).rejects.toMatchObject({ code: 'NOT_CONFIGURED' });
    expect(calls(harness, 'disbursement.getBalance')).toBe(1);
  });
});
