// The client's settings: read from the environment in the client's own room, each refusal
// naming the variable and the form it wants, and composed into the app's config unchanged.
import { readFileSync } from 'node:fs';
import dotenv from 'dotenv';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { MOMO_DEFAULTS, MOMO_VARIABLES, readMomoSettings, type SettingProblem } from '../../src/momo/settings';

function problemsOf(env: Record<string, string>): SettingProblem[] {
  const result = readMomoSettings(env);
  if (result.ok) throw new Error(`expected problems, got settings for ${JSON.stringify(env)}`);
  return result.problems;
}

const USER = '6f0a5d0e-3b1c-4d2e-9f3a-1b2c3d4e5f60';

describe('MoMo settings', () => {
  it('default to the embedded sandbox with the documented limits', () => {
    const result = readMomoSettings({});
    expect(result).toEqual({
      ok: true,
      settings: { mode: 'embedded', baseUrl: null, targetEnvironment: 'sandbox', credentials: {}, ...MOMO_DEFAULTS },
    });
  });

  it('read a remote MoMo with credentials, trimming the trailing slash and treating empty values as unset', () => {
    const result = readMomoSettings({
      MOMO_BASE_URL: 'https://sandbox.momodeveloper.mtn.com/',
      MOMO_TARGET_ENVIRONMENT: 'mtnuganda',
      COLLECTION_PRIMARY_KEY: 'ck',
      COLLECTION_USER_ID: USER,
      COLLECTION_API_SECRET: 'cs',
      DISBURSEMENT_PRIMARY_KEY: 'dk',
      DISBURSEMENT_USER_ID: USER,
      DISBURSEMENT_API_SECRET: 'ds',
      REMITTANCE_PRIMARY_KEY: '',
      MOMO_TIMEOUT_MS: '2500',
      MOMO_STATUS_READS_PER_S: '8',
      MOMO_CREATES_PER_S: '120',
    });
    expect(result.ok && result.settings).toMatchObject({
      mode: 'remote',
      baseUrl: 'https://sandbox.momodeveloper.mtn.com',
      targetEnvironment: 'mtnuganda',
      credentials: { collection: { subscriptionKey: 'ck', apiUser: USER, apiKey: 'cs' }, disbursement: { subscriptionKey: 'dk' } },
      timeoutMs: 2500,
      statusReadsPerSecond: 8,
      createsPerSecond: 120,
    });
  });

  it.each([
    ['MOMO_BASE_URL', 'not-a-url', 'must be "embedded" or an http(s) URL such as https://sandbox.momodeveloper.mtn.com'],
    ['MOMO_BASE_URL', 'ftp://files.example', 'must be "embedded" or an http(s) URL such as https://sandbox.momodeveloper.mtn.com'],
    ['MOMO_TARGET_ENVIRONMENT', 'production', 'must be sandbox, or mtn<country> in production such as mtnuganda'],
    ['COLLECTION_USER_ID', 'alice', 'must be the API user id, a UUID v4 such as 6f0a5d0e-3b1c-4d2e-9f3a-1b2c3d4e5f60 (npm run momo:provision prints it)'],
    ['MOMO_TIMEOUT_MS', 'ten seconds', 'must be a whole number of milliseconds from 100 to 120000'],
    ['MOMO_TIMEOUT_MS', '50', 'must be a whole number of milliseconds from 100 to 120000'],
    ['MOMO_MAX_RETRIES', '2.5', 'must be a whole number of retries from 0 to 10'],
    ['MOMO_MAX_RETRIES', '-1', 'must be a whole number of retries from 0 to 10'],
    ['MOMO_STATUS_READS_PER_S', '0', 'must be a whole number of requests per second from 1 to 100000'],
    ['MOMO_CREATES_PER_S', 'fast', 'must be a whole number of requests per second from 1 to 100000'],
    ['MOMO_RATE_LIMIT_PER_S', '10', 'no longer exists: set MOMO_STATUS_READS_PER_S (default 10) and MOMO_CREATES_PER_S (default 50) instead'],
    ['MOMO_CIRCUIT_THRESHOLD', '0', 'must be a whole number of consecutive failures from 1 to 1000'],
    ['MOMO_CIRCUIT_COOLDOWN_MS', '1e4', 'must be a whole number of milliseconds from 100 to 600000'],
  ])('%s=%s is refused with what it must be', (variable, value, message) => {
    expect(problemsOf({ [variable]: value })).toEqual([{ variable, message }]);
  });

  it('wants all three credentials of a product or none, and credentials for a real MoMo', () => {
    expect(problemsOf({ REMITTANCE_API_SECRET: 's' })).toEqual([
      { variable: 'REMITTANCE_*', message: 'set all of REMITTANCE_PRIMARY_KEY, REMITTANCE_USER_ID and REMITTANCE_API_SECRET, or none' },
    ]);
    expect(problemsOf({ MOMO_BASE_URL: 'http://127.0.0.1:8089' }).map((p) => p.variable)).toEqual(['COLLECTION_PRIMARY_KEY', 'DISBURSEMENT_PRIMARY_KEY']);
  });

  it('reach the app config as they are, and its error names the setting and the form', () => {
    const result = readMomoSettings({ MOMO_MAX_RETRIES: '1' });
    expect(result.ok && result.settings.maxRetries).toBe(1);
    expect(loadConfig({ MOMO_MAX_RETRIES: '1' }).momo).toEqual(result.ok ? result.settings : null);
    let error: unknown;
    try {
      loadConfig({ MOMO_BASE_URL: 'not-a-url', PORT: 'abc' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['MOMO_BASE_URL', 'PORT']);
    expect((error as ConfigError).message).toContain('MOMO_BASE_URL: must be "embedded" or an http(s) URL such as https://sandbox.momodeveloper.mtn.com');
  });

  it('are all documented in .env.example, which parses as it is', () => {
    const example = dotenv.parse(readFileSync(new URL('../../.env.example', import.meta.url)));
    expect(MOMO_VARIABLES.length).toBeGreaterThan(10);
    expect(MOMO_VARIABLES.filter((v) => !(v in example))).toEqual([]);
    expect(readMomoSettings(example).ok).toBe(true);
  });
});
