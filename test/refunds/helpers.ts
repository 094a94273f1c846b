// Sokoni with people who can ask for and approve refunds over the API (each with an API key),
// and ways to look at a refund's money: the sandbox's refund transactions and the books.
import type { Role } from '../../src/accounts';
import { ADMIN_TOKEN, pay, sellerWithProduct, waitForOrder, type OrderJson } from '../checkout/helpers';
import { PASSWORD, startConsole, type ConsoleStore } from '../console/helpers';

export interface RefundStore extends ConsoleStore {
  /** Authorization headers: `operator` and `operator2` are two different operators. */
  auth: Map<'owner' | 'operator' | 'operator2' | 'viewer', { authorization: string }>;
}

export async function startRefundStore(env: Record<string, string> = {}): Promise<RefundStore> {
  const store = await startConsole({ FUNDS_CHECK_S: '1', ...env });
  const second = await store.accounts.createPerson(null, { email: 'operator2@example.com', role: 'operator', password: PASSWORD });
  const people: [string, { id: string; email: string; role: Role }][] = [...store.people.entries(), ['operator2', second]];
  const auth = new Map<'owner' | 'operator' | 'operator2' | 'viewer', { authorization: string }>();
  for (const [name, person] of people) {
    const ctx = { caller: { personId: person.id, email: person.email, role: person.role, via: 'session' as const, mustEnrol: false }, address: null };
    auth.set(name as 'owner', { authorization: `Bearer ${(await store.accounts.createApiKey(ctx, 'test')).key}` });
  }
  return { ...store, auth };
}

export const as = (store: RefundStore, who: 'owner' | 'operator' | 'operator2' | 'viewer') => store.auth.get(who)!;
export const adminAuth = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** A settled order of `qty` × 10.00 EUR from a new seller (80% share), and that seller. */
export async function settledOrder(store: RefundStore, msisdn: string, qty = 1): Promise<{ order: OrderJson; sellerId: string; productId: string }> {
  const { sellerId, productId } = await sellerWithProduct(store, msisdn, 1000);
  const order = await orderOf(store, productId, qty, (o) => o.status === 'settled');
  return { order, sellerId, productId };
}

export async function orderOf(store: RefundStore, productId: string, qty: number, done: (o: OrderJson) => boolean): Promise<OrderJson> {
  const placed = await pay(store, { productId, qty, phone: '256772123456' });
  return waitForOrder(store, placed.body.id, done);
}

export interface RefundJson {
  id: string;
  state: string;
  amountMinor: number;
  sellerPartMinor: number;
  platformPartMinor: number;
  requestedBy: string;
  approvedBy: string | null;
  movement: { referenceId: string; status: string } | null;
}

/** The refund once `done` says so; fails the test with its last state after 15 s. */
export async function waitForRefund(store: RefundStore, id: string, done: (r: RefundJson) => boolean = (r) => ['refunded', 'failed'].includes(r.state)): Promise<RefundJson> {
  const deadline = Date.now() + 15_000;
  let refund: RefundJson;
  do {
    refund = (await store.http.get(`/api/refunds/${id}`).set(as(store, 'viewer')).expect(200)).body;
    if (done(refund)) return refund;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < deadline);
  throw new Error(`refund ${id} never reached the expected state; last: ${JSON.stringify(refund)}`);
}

/** Asks as `operator` and approves as `operator2`; answers the refund once final. */
export async function refundApproved(store: RefundStore, orderId: string, amountMinor: number): Promise<RefundJson> {
  const asked = await store.http.post(`/api/orders/${orderId}/refunds`).set(as(store, 'operator')).send({ amountMinor, reason: 'customer returned it' }).expect(202);
  await store.http.post(`/api/refunds/${asked.body.id}/approve`).set(as(store, 'operator2')).send({}).expect(200);
  return waitForRefund(store, asked.body.id);
}

/** The refunds the sandbox holds, as MoMo would answer them. */
export const sandboxRefunds = (store: RefundStore) => store.control.transactions().filter((t) => t.kind === 'refund');

/** What the books say Sokoni owes the seller (negative: the seller owes Sokoni). */
export async function sellerOwed(store: RefundStore, sellerId: string): Promise<number> {
  return 0 - (await store.sokoni.sql.get<{ n: number }>(`SELECT coalesce(sum(amount_minor), 0) AS n FROM entries WHERE seller_id = ?`, [sellerId]))!.n;
}

/** Every entry ever posted sums to zero, per currency. */
export async function trialBalance(store: RefundStore): Promise<number[]> {
  return (await store.sokoni.sql.all<{ n: number }>(`SELECT sum(amount_minor) AS n FROM entries GROUP BY currency`)).map((r) => r.n);
}
