import { readFileSync } from 'node:fs';
import dotenv from 'dotenv';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config', () => {
  it('runs on the embedded sandbox with handset approval and an 80% seller share by default', () => {
    const config = loadConfig({});
    expect(config.momo.mode).toBe('embedded');
    expect(config.sandbox.approval).toBe('handset');
    expect(config.sellerShareBps).toBe(8000);
    expect(config.port).toBe(3000);
    expect(config.adminToken).toBeNull();
  });

  it('names every bad variable', () => {
    const problems = problemsOf({ PORT: 'abc', SELLER_SHARE_PERCENT: '120', SANDBOX_APPROVAL: 'sometimes', PUBLIC_URL: 'ftp://x' });
    expect(problems.map((p) => p.variable).sort()).toEqual(['PORT', 'PUBLIC_URL', 'SANDBOX_APPROVAL', 'SELLER_SHARE_PERCENT']);
  });

  it('reads a percentage with decimals into basis points without floats', () => {
    expect(loadConfig({ SELLER_SHARE_PERCENT: '82.5' }).sellerShareBps).toBe(8250);
    expect(loadConfig({ SELLER_SHARE_PERCENT: '0.07' }).sellerShareBps).toBe(7);
  });

  it('wants all three credentials of a product or none', () => {
    expect(problemsOf({ COLLECTION_PRIMARY_KEY: 'k' })[0]?.variable).toBe('COLLECTION_*');
  });

  it('requires credentials when pointed at a real MoMo', () => {
    const problems = problemsOf({ MOMO_BASE_URL: 'https://sandbox.momodeveloper.mtn.com' });
    expect(problems.map((p) => p.variable)).toEqual(['COLLECTION_PRIMARY_KEY', 'DISBURSEMENT_PRIMARY_KEY']);
  });

  it('refuses short admin and callback tokens', () => {
    expect(problemsOf({ ADMIN_TOKEN: 'short', CALLBACK_TOKEN: 'x' }).map((p) => p.variable)).toEqual(['ADMIN_TOKEN', 'CALLBACK_TOKEN']);
  });

  it('DATABASE_URL: PostgreSQL when set, SQLite at DATABASE_PATH when not', () => {
    expect(loadConfig({}).databaseUrl).toBeNull();
    for (const url of ['postgres://sokoni:pw@db.internal:5432/shop', 'postgresql://sokoni@localhost/shop?sslmode=require', 'postgresql://postgres@localhost:5433/postgres?host=%2Ftmp%2Fpg']) {
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    }
  });

  it('refuses a DATABASE_URL that is not PostgreSQL, naming it and never echoing it', () => {
    for (const url of ['./data/sokoni.db', 'mysql://u:pw@host/db', 'sqlite:///tmp/x.db', 'postgres://', 'postgres:/x', 'http://db:5432/shop']) {
      const problems = problemsOf({ DATABASE_URL: url });
      expect(problems.map((p) => p.variable), url).toEqual(['DATABASE_URL']);
      expect(problems[0]!.message).toMatch(/postgres:\/\/ or postgresql:\/\//);
      expect(problems[0]!.message).not.toContain('pw@');
    }
  });

  it('.env.example documents every variable and parses as it is', () => {
    const example = dotenv.parse(readFileSync(new URL('../../.env.example', import.meta.url)));
    // The sandbox's SANDBOX_* variables are defined in its own room.
    const source = ['../../src/config.ts', '../../src/sandbox/env.ts'].map((file) => readFileSync(new URL(file, import.meta.url), 'utf8')).join('\n');
    const variables = [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
    // The MOMO_* variables live in src/momo/settings.ts; test/momo/settings.test.ts checks them.
    expect(variables.length).toBeGreaterThan(30);
    expect(variables.filter((v) => !(v in example))).toEqual([]);
    expect(() => loadConfig(example)).not.toThrow();
  });
});
