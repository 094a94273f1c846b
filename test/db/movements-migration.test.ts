// Migration 002 turns the payments, payouts and payout_attempts of a live database into
// movements and their attempts. It runs here on a database with real orders in every state,
// written by the 001 schema exactly as the old code wrote them.
import { afterEach, describe, expect, it } from 'vitest';
import { OrderStore, SqliteSql } from '../../src/db';
import { applyMigrationsUpTo, tempDatabase, type TempDatabase } from './helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const SELLER = '11111111-1111-4111-8111-111111111111';
const PRODUCT = '22222222-2222-4222-8222-222222222222';
const T = 1_700_000_000_000;
const ref = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

interface OldOrder {
  id: string;
  status: string;
  payment: string;
  payout?: { status: string; attempts: string[]; reason?: string };
  paymentNextCheck?: number | null;
}

// One order for every combination the old code could leave behind.
const ORDERS: OldOrder[] = [
  { id: ref(101), status: 'pending', payment: 'sending', paymentNextCheck: T + 30_000 },
  // A pending payment holding the old worker's inferred lease (updated_at + 60 s).
  { id: ref(102), status: 'pending', payment: 'pending', paymentNextCheck: T + 60_000 },
  { id: ref(103), status: 'failed', payment: 'failed', paymentNextCheck: null },
  { id: ref(104), status: 'paid', payment: 'successful', payout: { status: 'sending', attempts: ['sending'] } },
  { id: ref(105), status: 'paid', payment: 'successful', payout: { status: 'pending', attempts: ['pending'] } },
  { id: ref(106), status: 'paid', payment: 'successful', payout: { status: 'retry_wait', attempts: ['failed'], reason: 'NOT_ENOUGH_FUNDS' } },
  { id: ref(107), status: 'settled', payment: 'successful', payout: { status: 'successful', attempts: ['failed', 'failed', 'successful'] } },
  { id: ref(108), status: 'payout_failed', payment: 'successful', payout: { status: 'failed', attempts: ['failed'], reason: 'PAYEE_NOT_FOUND' } },
];

function writeOldRows(t: TempDatabase): void {
  const { db } = t;
  db.prepare(`INSERT INTO sellers VALUES (?, 'Old seller', '256772000001', 8000, ?, ?)`).run(SELLER, T, T);
  db.prepare(`INSERT INTO products (id, seller_id, name, price_minor, currency, created_at, updated_at) VALUES (?, ?, 'Basket', 1000, 'EUR', ?, ?)`).run(PRODUCT, SELLER, T, T);
  ORDERS.forEach((o, i) => {
    db.prepare(`INSERT INTO orders (id, product_id, seller_id, qty, unit_price_minor, amount_minor, currency, seller_share_bps,
      seller_amount_minor, platform_amount_minor, payer_msisdn, status, created_at, updated_at)
      VALUES (?, ?, ?, 1, 1000, 1000, 'EUR', 8000, 800, 200, '256772123456', ?, ?, ?)`).run(o.id, PRODUCT, SELLER, o.status, T, T);
    db.prepare(`INSERT INTO payments (order_id, reference_id, amount_minor, currency, status, reason, financial_transaction_id, attempts,
      checks, next_check_at, created_at, updated_at) VALUES (?, ?, 1000, 'EUR', ?, ?, ?, 2, 3, ?, ?, ?)`)
      .run(o.id, ref(200 + i), o.payment, o.payment === 'failed' ? 'APPROVAL_REJECTED' : null,
        o.payment === 'successful' ? `fin-${i}` : null, o.paymentNextCheck ?? null, T, T);
    db.prepare(`INSERT INTO order_events (order_id, entity, from_state, to_state, at) VALUES (?, 'payment', NULL, 'sending', ?)`).run(o.id, T);
    if (!o.payout) return;
    const references = o.payout.attempts.map((_, n) => ref(300 + i * 10 + n));
    const payout = db.prepare(`INSERT INTO payouts (order_id, seller_id, payee_msisdn, amount_minor, currency, reference_id, status, reason,
      attempts, checks, next_check_at, created_at, updated_at) VALUES (?, ?, '256772000001', 800, 'EUR', ?, ?, ?, ?, 1, ?, ?, ?)`)
      .run(o.id, SELLER, references.at(-1), o.payout.status, o.payout.reason ?? null, references.length,
        ['successful', 'failed'].includes(o.payout.status) ? null : T + 1000, T, T);
    o.payout.attempts.forEach((status, n) => {
      db.prepare(`INSERT INTO payout_attempts (reference_id, payout_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`)
        .run(references[n], payout.lastInsertRowid, status, T, T);
    });
  });
}

describe('migration 002: payments and payouts become movements', () => {
  it('carries every order, in every state, with its references, attempts and schedule', async () => {
    const t = tempDatabase({ migrate: false });
    cleanups.push(t.close);
    applyMigrationsUpTo(t.db, '001_initial.sql');
    writeOldRows(t);
    applyMigrationsUpTo(t.db, '002_movements.sql');

    const store = new OrderStore(new SqliteSql(t.db)).movements;
    for (const [i, o] of ORDERS.entries()) {
      const collection = (await store.of(o.id, 'collection'))!;
      expect(collection).toMatchObject({
        status: o.payment, referenceId: ref(200 + i), provider: 'momo', partyMsisdn: '256772123456',
        amountMinor: 1000, currency: 'EUR', attempts: 1, sends: 2, checks: 3, leasedUntil: null,
      });
      const payout = await store.of(o.id, 'payout');
      if (!o.payout) {
        expect(payout).toBeUndefined();
        continue;
      }
      expect(payout).toMatchObject({
        status: o.payout.status, partyMsisdn: '256772000001', amountMinor: 800, attempts: o.payout.attempts.length,
        referenceId: ref(300 + i * 10 + o.payout.attempts.length - 1), reason: o.payout.reason ?? null,
      });
      const attempts = t.db.prepare('SELECT status FROM movement_attempts WHERE movement_id = ? ORDER BY reference_id').pluck().all(payout!.id);
      expect(attempts).toEqual(o.payout.attempts);
    }
    // The old inferred lease is gone: that payment is due at once, the others keep their schedule.
    expect((await store.of(ref(102), 'collection'))!.nextCheckAt).toBe(T);
    expect((await store.of(ref(101), 'collection'))!.nextCheckAt).toBe(T + 30_000);
    expect(t.db.prepare(`SELECT count(*) FROM order_events WHERE entity = 'collection'`).pluck().get()).toBe(ORDERS.length);
    expect(t.db.prepare(`SELECT name FROM sqlite_master WHERE name IN ('payments', 'payouts', 'payout_attempts')`).all()).toEqual([]);
    // The one-open-attempt rule now holds for every kind.
    const retrying = (await store.of(ref(106), 'payout'))!;
    expect(() => t.db.prepare(`INSERT INTO movement_attempts VALUES (?, ?, '256772000001', 'sending', NULL, 0, 0)`).run(ref(999), retrying.id)).not.toThrow();
    expect(() => t.db.prepare(`INSERT INTO movement_attempts VALUES (?, ?, '256772000001', 'sending', NULL, 0, 0)`).run(ref(998), retrying.id)).toThrow(/UNIQUE/);
  });
});
