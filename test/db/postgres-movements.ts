// Movements on a fresh PostgreSQL database, for the tests of several instances on one database.
import { randomUUID } from 'node:crypto';
import { applyPostgresMigrations, OrderStore, PostgresSql } from '../../src/db';
import { freshPostgres, type FreshPostgres } from './postgres-helpers';

/** A collection's order for the one product, its movement held by `writer` until `dueAt` (due from then on). */
export async function placeDue(orders: OrderStore, createdAt: number, dueAt: number): Promise<string> {
  const id = randomUUID();
  await orders.createOrderWithPayment({
    id, idempotencyKey: null, productId: 'p1', sellerId: 's1', qty: 1, unitPriceMinor: 1000, amountMinor: 1000,
    currency: 'EUR', sellerShareBps: 8000, sellerAmountMinor: 800, platformAmountMinor: 200, payerMsisdn: '256772123456',
  }, randomUUID(), createdAt, { holder: 'writer', until: dueAt }, 'momo');
  return id;
}

/** A migrated database with `count` collections due since `dueAt`; `cleanup` is told how to drop it. */
export async function databaseWithDue(
  cleanup: (fn: () => Promise<unknown>) => void,
  count: number,
  { dueAt, createdAt }: { dueAt: number; createdAt: number },
): Promise<{ fresh: FreshPostgres; orders: OrderStore; ids: string[] }> {
  const fresh = await freshPostgres();
  cleanup(fresh.drop);
  await applyPostgresMigrations(fresh.sql);
  await fresh.sql.run(`INSERT INTO sellers (id, name, msisdn, share_bps, created_at, updated_at) VALUES ('s1', 'Seller', '256772000001', 8000, 0, 0)`);
  await fresh.sql.run(`INSERT INTO products (id, seller_id, name, price_minor, currency, created_at, updated_at) VALUES ('p1', 's1', 'Thing', 1000, 'EUR', 0, 0)`);
  const orders = new OrderStore(fresh.sql);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await placeDue(orders, createdAt, dueAt));
  return { fresh, orders, ids };
}

/** Another instance's pool on the same database. */
export function instancePool(cleanup: (fn: () => Promise<unknown>) => void, url: string): PostgresSql {
  const sql = PostgresSql.connect(url, { max: 4 });
  cleanup(() => sql.end());
  return sql;
}
