// Domain refusals reach HTTP through one table in web/errors.ts, and the web layer asks the
// catalogue service rather than running SQL itself.
import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createSeller, openDatabase } from '../../src/db';
import { DomainError, type DomainErrorKind } from '../../src/domain-error';
import { auth, testApp, type TestApp } from './helpers';

let h: TestApp;
afterEach(() => h.t.close());

describe('DomainError kinds over HTTP', () => {
  const kinds: [DomainErrorKind, number][] = [
    ['invalid', 400],
    ['not_found', 404],
    ['conflict', 409],
    ['refused', 422],
    ['busy', 503],
    ['unavailable', 502],
  ];

  it.each(kinds)('%s answers %i with the code, message and field', async (kind, status) => {
    const router = express.Router().get('/api/refuse', () => {
      throw new DomainError(kind, `some_${kind}`, `refused as ${kind}`, 'thing');
    });
    h = testApp({}, { routers: [router] });
    const res = await request(h.app).get('/api/refuse');
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: { code: `some_${kind}`, message: `refused as ${kind}`, field: 'thing' } });
    expect(res.headers['retry-after']).toBe(kind === 'busy' ? '1' : undefined);
  });

  it('answers 503 with Retry-After when another writer holds the database, writing nothing', async () => {
    h = testApp();
    const seller = await createSeller(h.sql, { name: 'Okello', msisdn: '256772000060', shareBps: 8000 });
    h.t.db.pragma('busy_timeout = 0');
    const other = openDatabase(h.t.file);
    other.exec('BEGIN IMMEDIATE');
    try {
      const product = { sellerId: seller.id, name: 'Hoe', priceMinor: 1500, currency: 'EUR' };
      const res = await request(h.app).post('/api/products').set(auth).send(product);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body.error.code).toBe('busy');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(h.t.count('products')).toBe(0);
  });
});

describe('the web layer', () => {
  it('imports nothing from src/db: the catalogue service is its way to the data', () => {
    h = testApp();
    const dir = path.resolve('src/web');
    const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    // From src/web or a folder below it, src/db is one or more levels up.
    const offenders = files.filter((file) => /from '(?:\.\.\/)+db(?:\/[^']*)?'/.test(fs.readFileSync(path.join(dir, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
