// Sellers and products. Callers validate fields first (src/web/fields); the table CHECKs are
// the last line of defence, not the validation.
import { randomUUID } from 'node:crypto';
import type { Sql } from './sql';
import { isBusy, isUniqueViolation } from './errors';

export interface Seller {
  id: string;
  name: string;
  msisdn: string;
  shareBps: number;
  /** Inactive sellers' products are not for sale; what they are owed is still paid. */
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface SellerInput {
  name: string;
  msisdn: string;
  shareBps: number;
  /** True when not given. */
  active?: boolean;
}

export interface Product {
  id: string;
  sellerId: string;
  sellerName: string;
  sellerActive: boolean;
  name: string;
  description: string;
  priceMinor: number;
  currency: string;
  active: boolean;
  /** An operator locked it: its seller cannot change it in the portal (migration 008). */
  locked: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ProductInput {
  sellerId: string;
  name: string;
  description: string;
  priceMinor: number;
  currency: string;
  active: boolean;
}

/** A product named a seller that does not exist. */
export class UnknownSellerError extends Error {
  override name = 'UnknownSellerError';
  constructor(readonly sellerId: string) {
    super(`no seller ${sellerId}`);
  }
}

/** Another active seller already has this MoMo number. */
export class DuplicateMsisdnError extends Error {
  override name = 'DuplicateMsisdnError';
  constructor(readonly msisdn: string) {
    super(`another active seller has ${msisdn}`);
  }
}

/** Another writer held what a write needed, on either database (errors.ts): nothing was written. */
export const isBusyError = isBusy;

interface SellerRow {
  id: string;
  name: string;
  msisdn: string;
  share_bps: number;
  active: number;
  created_at: number;
  updated_at: number;
}

interface ProductRow {
  id: string;
  seller_id: string;
  seller_name: string;
  seller_active: number;
  name: string;
  description: string;
  price_minor: number;
  currency: string;
  active: number;
  locked: number;
  created_at: number;
  updated_at: number;
}

const toSeller = (r: SellerRow): Seller => ({
  id: r.id,
  name: r.name,
  msisdn: r.msisdn,
  shareBps: r.share_bps,
  active: r.active === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toProduct = (r: ProductRow): Product => ({
  id: r.id,
  sellerId: r.seller_id,
  sellerName: r.seller_name,
  sellerActive: r.seller_active === 1,
  name: r.name,
  description: r.description,
  priceMinor: r.price_minor,
  currency: r.currency,
  active: r.active === 1,
  locked: r.locked === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function listSellers(db: Sql): Promise<Seller[]> {
  return (await db.all<SellerRow>('SELECT * FROM sellers ORDER BY name, id')).map(toSeller);
}

export async function getSeller(db: Sql, id: string): Promise<Seller | undefined> {
  const row = await db.get<SellerRow>('SELECT * FROM sellers WHERE id = ?', [id]);
  return row && toSeller(row);
}

export function createSeller(db: Sql, input: SellerInput): Promise<Seller> {
  return upsertSeller(db, randomUUID(), input);
}

/** The seller (active or not) holding this MoMo number, if any; the oldest first. */
export async function findSellerByMsisdn(db: Sql, msisdn: string): Promise<Seller | undefined> {
  const row = await db.get<SellerRow>('SELECT * FROM sellers WHERE msisdn = ? ORDER BY active DESC, created_at, id LIMIT 1', [msisdn]);
  return row && toSeller(row);
}

/** The seed writes through these too (seed.ts), synchronously at start-up. */
export const UPSERT_SELLER_SQL = `INSERT INTO sellers (id, name, msisdn, share_bps, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, msisdn = excluded.msisdn,
         share_bps = excluded.share_bps, active = excluded.active, updated_at = excluded.updated_at`;

export const UPSERT_PRODUCT_SQL = `INSERT INTO products (id, seller_id, name, description, price_minor, currency, active, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET seller_id = excluded.seller_id, name = excluded.name,
         description = excluded.description, price_minor = excluded.price_minor,
         currency = excluded.currency, active = excluded.active, updated_at = excluded.updated_at`;

export const sellerParams = (id: string, input: SellerInput, now: number) =>
  [id, input.name, input.msisdn, input.shareBps, input.active === false ? 0 : 1, now, now];

export const productParams = (id: string, input: ProductInput, now: number) =>
  [id, input.sellerId, input.name, input.description, input.priceMinor, input.currency, input.active ? 1 : 0, now, now];

/**
 * Inserts the seller with this id, or updates it (keeping its created time). Throws
 * DuplicateMsisdnError when another active seller has the number.
 */
export async function upsertSeller(db: Sql, id: string, input: SellerInput): Promise<Seller> {
  try {
    // A transaction of its own (a savepoint inside a caller's): on PostgreSQL a refused statement
    // would otherwise abort the caller's whole transaction.
    await db.transaction((tx) => tx.run(UPSERT_SELLER_SQL, sellerParams(id, input, Date.now())));
  } catch (error) {
    // The partial unique index sellers_msisdn_active (migration 003).
    if (isUniqueViolation(error, { table: 'sellers', columns: ['msisdn'] })) throw new DuplicateMsisdnError(input.msisdn);
    throw error;
  }
  return (await getSeller(db, id))!;
}

/** Changes the given fields; undefined when there is no such seller. */
export function updateSeller(db: Sql, id: string, changes: Partial<SellerInput>): Promise<Seller | undefined> {
  return db.transaction(async (tx) => {
    const current = await getSeller(tx, id);
    if (!current) return undefined;
    return upsertSeller(tx, id, { ...pick(current, ['name', 'msisdn', 'shareBps', 'active']), ...defined(changes) });
  });
}

const PRODUCT_SELECT = `SELECT p.*, s.name AS seller_name, s.active AS seller_active FROM products p JOIN sellers s ON s.id = p.seller_id`;

/** `activeOnly`: active products of active sellers, the ones that may be for sale. */
export async function listProducts(db: Sql, options: { activeOnly?: boolean } = {}): Promise<Product[]> {
  const sql = `${PRODUCT_SELECT} ${options.activeOnly ? 'WHERE p.active = 1 AND s.active = 1' : ''} ORDER BY p.name, p.id`;
  return (await db.all<ProductRow>(sql)).map(toProduct);
}

export async function getProduct(db: Sql, id: string): Promise<Product | undefined> {
  const row = await db.get<ProductRow>(`${PRODUCT_SELECT} WHERE p.id = ?`, [id]);
  return row && toProduct(row);
}

/** Throws UnknownSellerError when input.sellerId names no seller. */
export function createProduct(db: Sql, input: ProductInput): Promise<Product> {
  return upsertProduct(db, randomUUID(), input);
}

/** Inserts the product with this id, or updates it; throws UnknownSellerError for a missing seller. */
export function upsertProduct(db: Sql, id: string, input: ProductInput): Promise<Product> {
  return db.transaction(async (tx) => {
    if (!(await getSeller(tx, input.sellerId))) throw new UnknownSellerError(input.sellerId);
    await tx.run(UPSERT_PRODUCT_SQL, productParams(id, input, Date.now()));
    return (await getProduct(tx, id))!;
  });
}

/** Changes the given fields; undefined when there is no such product. */
export function updateProduct(db: Sql, id: string, changes: Partial<ProductInput>): Promise<Product | undefined> {
  return db.transaction(async (tx) => {
    const current = await getProduct(tx, id);
    if (!current) return undefined;
    const base = pick(current, ['sellerId', 'name', 'description', 'priceMinor', 'currency', 'active']);
    return upsertProduct(tx, id, { ...base, ...defined(changes) });
  });
}

/** Sets an operator's lock on a product; undefined when there is no such product. */
export async function setProductLocked(db: Sql, id: string, locked: boolean): Promise<Product | undefined> {
  await db.run('UPDATE products SET locked = ?, updated_at = ? WHERE id = ?', [locked ? 1 : 0, Date.now(), id]);
  return getProduct(db, id);
}

function pick<T, K extends keyof T>(value: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Pick<T, K>;
}

// A PATCH body parsed by zod has absent fields as undefined; they must not erase values.
function defined<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Where a seller's payout number stands: when it last changed, and whether payouts to it are held. */
export interface SellerNumberState {
  changedAt: number | null;
  /** Payouts wait until then, unless an owner confirmed the number. */
  holdUntil: number | null;
  confirmedAt: number | null;
  confirmedBy: string | null;
}

export function sellerNumberState(db: Sql, sellerId: string): Promise<SellerNumberState | undefined> {
  return db.get<SellerNumberState>(`SELECT number_changed_at AS changedAt, payout_hold_until AS holdUntil, number_confirmed_at AS confirmedAt,
    number_confirmed_by AS confirmedBy FROM sellers WHERE id = ?`, [sellerId]);
}

/** A new payout number: payouts to it wait until `holdUntil` (null: not held). */
export async function markNumberChanged(db: Sql, sellerId: string, now: number, holdUntil: number | null): Promise<void> {
  await db.run(`UPDATE sellers SET number_changed_at = ?, payout_hold_until = ?, number_confirmed_at = NULL, number_confirmed_by = NULL
    WHERE id = ?`, [now, holdUntil, sellerId]);
}

/**
 * An owner confirms the seller's number: the hold ends, and the seller's payouts that waited
 * for it are made due at once (as a callback does: a leased row keeps its lease, and its step's
 * end makes it due), so the worker sends them on its next look.
 */
export async function confirmSellerNumber(db: Sql, sellerId: string, by: string, now: number): Promise<number> {
  await db.run(`UPDATE sellers SET payout_hold_until = NULL, number_confirmed_at = ?, number_confirmed_by = ? WHERE id = ?`, [now, by, sellerId]);
  const made = await db.run(`UPDATE movements SET next_check_at = CASE WHEN leased_until > ? THEN next_check_at ELSE 0 END, read_requested = 1
    WHERE kind = 'payout' AND status = 'sending' AND order_id IN (SELECT id FROM orders WHERE seller_id = ?)`, [now, sellerId]);
  return made.changes;
}
