// The sandbox reads its own SANDBOX_* variables, with the same defaults as createSandbox().
import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config';
import { DEFAULT_SETTINGS, sandboxSettingsFromEnv } from '../../src/sandbox';

describe('sandboxSettingsFromEnv', () => {
  it('gives the defaults of createSandbox() for an empty environment, ignoring empty strings, but keeps its state in a file', () => {
    expect(sandboxSettingsFromEnv({ SANDBOX_APPROVAL: '' })).toEqual({ settings: { ...DEFAULT_SETTINGS, databasePath: './data/sandbox.db' } });
    expect(DEFAULT_SETTINGS.databasePath).toBe(':memory:');
  });

  it('puts the embedded sandbox beside the store database unless SANDBOX_DATABASE_PATH says otherwise', () => {
    expect(loadConfig({}).sandbox.databasePath).toBe('data/sandbox.db');
    expect(loadConfig({ DATABASE_PATH: '/var/lib/sokoni/shop.db' }).sandbox.databasePath).toBe('/var/lib/sokoni/sandbox.db');
    expect(loadConfig({ DATABASE_PATH: ':memory:' }).sandbox.databasePath).toBe(':memory:');
    expect(loadConfig({ DATABASE_PATH: '/x/shop.db', SANDBOX_DATABASE_PATH: '/y/momo.db' }).sandbox.databasePath).toBe('/y/momo.db');
    const alone = sandboxSettingsFromEnv({ SANDBOX_DATABASE_PATH: ':memory:' });
    expect('settings' in alone && alone.settings.databasePath).toBe(':memory:');
  });

  it('reads every kind of value', () => {
    const loaded = sandboxSettingsFromEnv({
      SANDBOX_APPROVAL: 'delay',
      SANDBOX_SUBSCRIPTION_KEYS: 'a, b',
      SANDBOX_TOKEN_FAILURE_STATUS: '500',
      SANDBOX_CALLBACK_RETRIES: 'yes',
      SANDBOX_CURRENCIES: 'sandbox=EUR;mtnuganda=UGX|USD',
      SANDBOX_FAULT_ERROR_RATE: '0.25',
    });
    if (!('settings' in loaded)) throw new Error(JSON.stringify(loaded.problems));
    expect(loaded.settings).toMatchObject({ approval: 'delay', subscriptionKeys: ['a', 'b'], tokenFailureStatus: 500, callbackRetries: true });
    expect({ ...loaded.settings.currencies }).toEqual({ sandbox: ['EUR'], mtnuganda: ['UGX', 'USD'] });
    expect(loaded.settings.faults.errorRate).toBe(0.25);
  });

  it('names every bad variable, and Sokoni reports them with its own', () => {
    const env = { SANDBOX_APPROVAL: 'sometimes', SANDBOX_FAULT_ERROR_RATE: '2', SANDBOX_CURRENCIES: 'EUR', PORT: 'x' };
    const loaded = sandboxSettingsFromEnv(env);
    expect('problems' in loaded && loaded.problems.map((p) => p.variable).sort()).toEqual(['SANDBOX_APPROVAL', 'SANDBOX_CURRENCIES', 'SANDBOX_FAULT_ERROR_RATE']);
    let problems: string[] = [];
    try {
      loadConfig(env);
    } catch (e) {
      if (e instanceof ConfigError) problems = e.problems.map((p) => p.variable).sort();
    }
    expect(problems).toEqual(['PORT', 'SANDBOX_APPROVAL', 'SANDBOX_CURRENCIES', 'SANDBOX_FAULT_ERROR_RATE']);
  });
});
