// The money invariants, checked once everything is quiet: Sokoni's database (opened read-only)
// against the sandbox's own record of transactions and balances. Each broken rule is reported
// as one line naming the order; an empty list means no money was lost, doubled or misrouted.
// Read through the store port, so the same checks run on SQLite and on PostgreSQL, whichever
// instance did the work.
import type { Sql } from '../src/db';
import type { BalancesView, SandboxSettings, TransactionView } from '../src/sandbox';
import { parseDecimal } from '../src/money';

export interface SandboxRecord {
  transactions: TransactionView[];
  balances: BalancesView;
  settings: SandboxSettings;
}

interface DbOrder {
  id: string;
  status: string;
  amountMinor: number;
  sellerAmountMinor: number;
  currency: string;
  payerMsisdn: string;
  sellerMsisdn: string;
  paymentRef: string;
  paymentStatus: string;
  payoutRef: string | null;
  payoutStatus: string | null;
  payoutReason: string | null;
  payoutAmountMinor: number | null;
  payeeMsisdn: string | null;
}

export interface InvariantReport {
  orders: number;
  byStatus: Record<string, number>;
  collections: { successful: number; failed: number; pending: number };
  transfers: { successful: number; failed: number; pending: number };
  refundsAtSandbox: { successful: number; failed: number; pending: number };
  violations: string[];
}

function readOrders(sql: Sql): Promise<DbOrder[]> {
  return sql.all<DbOrder>(
    `SELECT o.id, o.status, o.amount_minor AS amountMinor, o.seller_amount_minor AS sellerAmountMinor, o.currency,
      o.payer_msisdn AS payerMsisdn, s.msisdn AS sellerMsisdn, pm.reference_id AS paymentRef, pm.status AS paymentStatus,
      po.reference_id AS payoutRef, po.status AS payoutStatus, po.reason AS payoutReason, po.amount_minor AS payoutAmountMinor,
      po.party_msisdn AS payeeMsisdn
    FROM orders o JOIN sellers s ON s.id = o.seller_id JOIN movements pm ON pm.order_id = o.id AND pm.kind = 'collection'
    LEFT JOIN movements po ON po.order_id = o.id AND po.kind = 'payout'`,
  );
}

interface DbRefund {
  id: string;
  orderId: string;
  state: string;
  amountMinor: number;
  sellerPartMinor: number;
  fromSuspense: number;
  movementStatus: string | null;
  /** Every reference its movement was sent with. */
  refs: string[];
}

async function readRefunds(sql: Sql): Promise<DbRefund[]> {
  const refunds = await sql.all<Omit<DbRefund, 'refs'> & { movementId: number | null }>(
    `SELECT r.id, r.order_id AS orderId, r.state, r.amount_minor AS amountMinor, r.seller_part_minor AS sellerPartMinor,
      r.from_suspense AS fromSuspense, m.id AS movementId, m.status AS movementStatus
    FROM refunds r LEFT JOIN movements m ON m.id = r.movement_id`,
  );
  // Grouped here rather than by group_concat, which PostgreSQL spells string_agg.
  const attempts = await sql.all<{ movementId: number; referenceId: string }>(
    `SELECT a.movement_id AS movementId, a.reference_id AS referenceId FROM movement_attempts a JOIN refunds r ON r.movement_id = a.movement_id`,
  );
  const refs = new Map<number, string[]>();
  for (const a of attempts) refs.set(a.movementId, [...(refs.get(a.movementId) ?? []), a.referenceId]);
  return refunds.map(({ movementId, ...r }) => ({ ...r, refs: movementId === null ? [] : (refs.get(movementId) ?? []) }));
}

/** Whether every order, payout and refund has reached a final state. */
export async function isQuiet(sql: Sql): Promise<boolean> {
  return (
    (await readOrders(sql)).every(
      (o) => ['settled', 'failed', 'payout_failed'].includes(o.status) && (o.payoutStatus === null || ['successful', 'failed', 'cancelled'].includes(o.payoutStatus)),
    ) && (await readRefunds(sql)).every((r) => !['pending_approval', 'approved'].includes(r.state))
  );
}

const minor = (tx: TransactionView) => parseDecimal(tx.amount, tx.currency);
const externalId = (tx: TransactionView) => (typeof tx.body.externalId === 'string' ? tx.body.externalId : '');

function tally(txs: TransactionView[]) {
  return {
    successful: txs.filter((t) => t.status === 'SUCCESSFUL').length,
    failed: txs.filter((t) => t.status === 'FAILED').length,
    pending: txs.filter((t) => t.status === 'PENDING').length,
  };
}

function group<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function add(map: Map<string, number>, key: string, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

export async function checkInvariants(sql: Sql, sandbox: SandboxRecord): Promise<InvariantReport> {
  const orders = await readOrders(sql);
  const violations: string[] = [];
  const fail = (message: string) => violations.push(message);

  const collections = sandbox.transactions.filter((t) => t.kind === 'requesttopay');
  const transfers = sandbox.transactions.filter((t) => t.kind === 'transfer');
  const refundTxs = sandbox.transactions.filter((t) => t.kind === 'refund');
  const refunds = await readRefunds(sql);
  const collectionsByOrder = group(collections, externalId);
  const transfersByOrder = group(transfers, externalId);
  const orderById = new Map(orders.map((o) => [o.id, o]));

  // What the sandbox did, order by order: nothing for an order Sokoni does not know, one
  // collection per order, a transfer only after a successful collection, and never two
  // transfers for one order that are not known to have failed.
  for (const [id, txs] of collectionsByOrder) {
    if (!orderById.has(id)) fail(`collection ${txs[0]!.referenceId} names order ${id}, which Sokoni does not have`);
    if (txs.length > 1) fail(`order ${id}: ${txs.length} collections at the sandbox (duplicate requesttopay)`);
  }
  for (const [id, txs] of transfersByOrder) {
    if (!collectionsByOrder.get(id)?.some((t) => t.status === 'SUCCESSFUL')) fail(`order ${id}: transfer without a successful collection`);
    const open = txs.filter((t) => t.status !== 'FAILED');
    if (open.length > 1) fail(`order ${id}: ${open.length} transfers not failed (${open.map((t) => t.status).join(', ')})`);
  }

  for (const o of orders) {
    const collection = (collectionsByOrder.get(o.id) ?? []).find((t) => t.referenceId === o.paymentRef);
    const collected = collection?.status === 'SUCCESSFUL';
    const paidOut = (transfersByOrder.get(o.id) ?? []).filter((t) => t.status === 'SUCCESSFUL');
    if (o.paymentStatus === 'successful' && !collected) fail(`order ${o.id}: Sokoni says paid, the sandbox has no successful collection ${o.paymentRef}`);
    if (collected && o.paymentStatus !== 'successful') fail(`order ${o.id}: collected at the sandbox, Sokoni's payment is ${o.paymentStatus}`);
    if (collection && (minor(collection) !== o.amountMinor || collection.currency !== o.currency || collection.party.partyId !== o.payerMsisdn)) {
      fail(`order ${o.id}: collection of ${collection.amount} ${collection.currency} from ${collection.party.partyId}, order is ${o.amountMinor} minor ${o.currency} from ${o.payerMsisdn}`);
    }
    switch (o.status) {
      case 'settled': {
        // A full refund before the payout left cancels it, and a share netted against what the
        // seller owes from earlier refunds writes none: then nothing was paid for this order.
        if (o.payoutStatus === null || o.payoutStatus === 'cancelled') {
          if (paidOut.length > 0) fail(`order ${o.id}: settled with its payout ${o.payoutStatus ?? 'never written'}, yet the sandbox paid ${paidOut.length} transfer(s)`);
          break;
        }
        if (paidOut.length !== 1) {
          fail(`order ${o.id}: settled with ${paidOut.length} successful transfers`);
          break;
        }
        const t = paidOut[0]!;
        if (o.payoutStatus !== 'successful' || t.referenceId !== o.payoutRef) fail(`order ${o.id}: settled but payout ${o.payoutRef} is ${o.payoutStatus}, sandbox paid ${t.referenceId}`);
        // What the payout carried (the share, less a claw-back or netting) is what arrived.
        if (minor(t) !== o.payoutAmountMinor || t.currency !== o.currency) fail(`order ${o.id}: paid out ${t.amount} ${t.currency}, Sokoni's payout is ${o.payoutAmountMinor} minor ${o.currency}`);
        if (t.party.partyId !== o.sellerMsisdn || o.payeeMsisdn !== o.sellerMsisdn) fail(`order ${o.id}: paid out to ${t.party.partyId}, the seller is ${o.sellerMsisdn}`);
        break;
      }
      case 'payout_failed':
        if (!collected) fail(`order ${o.id}: payout_failed without a successful collection`);
        if (paidOut.length > 0) fail(`order ${o.id}: payout_failed but the sandbox paid ${paidOut.length} transfer(s)`);
        if (o.payoutStatus !== 'failed' || !o.payoutReason) fail(`order ${o.id}: payout_failed with payout ${o.payoutStatus}, reason ${o.payoutReason ?? 'none'}`);
        break;
      case 'failed':
        if (collected) fail(`order ${o.id}: failed, but the sandbox collected ${o.paymentRef}`);
        if ((transfersByOrder.get(o.id) ?? []).length > 0) fail(`order ${o.id}: failed, but a transfer was sent`);
        break;
      default:
        fail(`order ${o.id}: still ${o.status} (payment ${o.paymentStatus}, payout ${o.payoutStatus ?? 'none'}) when quiet`);
    }
  }

  checkRefunds(orders, refunds, refundTxs, fail);
  checkSums(orders, collections, transfers, refunds, refundTxs, sandbox, fail);

  return {
    orders: orders.length,
    byStatus: Object.fromEntries([...group(orders, (o) => o.status)].map(([s, list]) => [s, list.length])),
    collections: tally(collections),
    transfers: tally(transfers),
    refundsAtSandbox: tally(refundTxs),
    violations,
  };
}

/**
 * Refunds (issue #14): exactly one successful refund at the sandbox per refund Sokoni calls
 * refunded, none for one that failed or was never approved, none Sokoni does not know of; and
 * never more given back to an order's payer than was collected.
 */
function checkRefunds(orders: DbOrder[], refunds: DbRefund[], refundTxs: TransactionView[], fail: (m: string) => void): void {
  const byReference = new Map(refundTxs.map((t) => [t.referenceId, t]));
  const known = new Set<string>();
  for (const r of refunds) {
    const references = r.refs;
    for (const reference of references) known.add(reference);
    const atSandbox = references.map((reference) => byReference.get(reference)).filter((t): t is TransactionView => t !== undefined);
    const successful = atSandbox.filter((t) => t.status === 'SUCCESSFUL');
    const notFailed = atSandbox.filter((t) => t.status !== 'FAILED');
    if (notFailed.length > 1) fail(`refund ${r.id}: ${notFailed.length} refunds at the sandbox not failed (${notFailed.map((t) => t.status).join(', ')})`);
    if (r.state === 'refunded') {
      if (successful.length !== 1) fail(`refund ${r.id}: refunded, with ${successful.length} successful refunds at the sandbox`);
      else if (minor(successful[0]!) !== r.amountMinor) fail(`refund ${r.id}: ${r.amountMinor} minor asked, the sandbox refunded ${successful[0]!.amount}`);
    } else if (successful.length > 0) {
      fail(`refund ${r.id}: ${r.state}, yet the sandbox refunded ${successful.map((t) => t.amount).join(', ')}`);
    }
    if (['pending_approval', 'declined', 'expired'].includes(r.state) && references.length > 0) fail(`refund ${r.id}: ${r.state}, yet it was sent (${references.length} attempt(s))`);
    if (['pending_approval', 'approved'].includes(r.state)) fail(`refund ${r.id}: still ${r.state} (movement ${r.movementStatus ?? 'none'}) when quiet`);
  }
  for (const t of refundTxs) if (!known.has(t.referenceId)) fail(`refund ${t.referenceId} at the sandbox (${t.status}, ${t.amount} ${t.currency}) is no refund Sokoni sent`);

  const paymentOf = new Map(orders.map((o) => [o.paymentRef, o]));
  const given = new Map<string, number>();
  for (const t of refundTxs) {
    if (t.status !== 'SUCCESSFUL') continue;
    const order = paymentOf.get(t.referenceIdToRefund ?? '');
    if (!order) fail(`refund ${t.referenceId} at the sandbox gives back ${t.referenceIdToRefund ?? 'nothing'}, no order's payment`);
    else add(given, order.id, minor(t));
  }
  for (const o of orders) {
    const back = given.get(o.id) ?? 0;
    if (back > 0 && o.paymentStatus !== 'successful') fail(`order ${o.id}: ${back} minor refunded, but its payment is ${o.paymentStatus}`);
    if (back > o.amountMinor) fail(`order ${o.id}: ${back} minor refunded, more than the ${o.amountMinor} collected`);
    const refunded = refunds.filter((r) => r.orderId === o.id && r.state === 'refunded').reduce((a, r) => a + r.amountMinor, 0);
    if (refunded !== back) fail(`order ${o.id}: Sokoni refunded ${refunded} minor, the sandbox ${back}`);
  }
}

/** Every balance the sandbox holds agrees, to the minor unit, with what Sokoni's records say moved. */
function checkSums(
  orders: DbOrder[], collections: TransactionView[], transfers: TransactionView[], refunds: DbRefund[], refundTxs: TransactionView[],
  sandbox: SandboxRecord, fail: (m: string) => void,
): void {
  const { balances, settings } = sandbox;
  const expected = { collection: new Map<string, number>(), disbursement: new Map<string, number>() };
  // Refunds leave the disbursement account too, and land in the payer's wallet.
  const refundedOut = new Map<string, number>();
  const wallets = new Map<string, number>();
  const orderById = new Map(orders.map((o) => [o.id, o]));
  for (const r of refunds) {
    const o = orderById.get(r.orderId);
    if (r.state !== 'refunded' || !o) continue;
    add(refundedOut, o.currency, r.amountMinor);
    add(wallets, `${o.payerMsisdn}:${o.currency}`, r.amountMinor);
  }
  for (const o of orders) {
    if (o.paymentStatus === 'successful') {
      add(expected.collection, o.currency, o.amountMinor);
      add(wallets, `${o.payerMsisdn}:${o.currency}`, -o.amountMinor);
    }
    if (o.payoutStatus === 'successful') {
      add(expected.disbursement, o.currency, o.payoutAmountMinor!);
      add(wallets, `${o.payeeMsisdn}:${o.currency}`, o.payoutAmountMinor!);
    }
  }
  for (const [currency, sum] of expected.collection) {
    const atSandbox = collections.filter((t) => t.status === 'SUCCESSFUL' && t.currency === currency).reduce((a, t) => a + minor(t), 0);
    if (atSandbox !== sum) fail(`${currency}: Sokoni collected ${sum} minor, the sandbox's successful collections sum to ${atSandbox}`);
    const balance = parseDecimal(balances.accounts.collection?.[currency] ?? settings.balances.collection, currency);
    const delta = balance - parseDecimal(settings.balances.collection, currency);
    if (delta !== sum) fail(`${currency}: the collection account grew by ${delta} minor, Sokoni collected ${sum}`);
  }
  for (const currency of new Set([...expected.disbursement.keys(), ...refundedOut.keys()])) {
    const sum = expected.disbursement.get(currency) ?? 0;
    const back = refundedOut.get(currency) ?? 0;
    const atSandbox = transfers.filter((t) => t.status === 'SUCCESSFUL' && t.currency === currency).reduce((a, t) => a + minor(t), 0);
    if (atSandbox !== sum) fail(`${currency}: Sokoni paid out ${sum} minor, the sandbox's successful transfers sum to ${atSandbox}`);
    const refundedAtSandbox = refundTxs.filter((t) => t.status === 'SUCCESSFUL' && t.currency === currency).reduce((a, t) => a + minor(t), 0);
    if (refundedAtSandbox !== back) fail(`${currency}: Sokoni refunded ${back} minor, the sandbox's successful refunds sum to ${refundedAtSandbox}`);
    const balance = parseDecimal(balances.accounts.disbursement?.[currency] ?? settings.balances.disbursement, currency);
    const delta = parseDecimal(settings.balances.disbursement, currency) - balance;
    if (delta !== sum + back) fail(`${currency}: the disbursement account shrank by ${delta} minor, Sokoni paid out ${sum} and refunded ${back}`);
  }
  // Customer wallets open at the payer balance; each one must have moved by exactly what Sokoni
  // collected from it and refunded to it (payers) or paid into it (sellers).
  for (const [key, change] of wallets) {
    const cut = key.lastIndexOf(':');
    const [who, currency] = [key.slice(0, cut), key.slice(cut + 1)];
    const opening = parseDecimal(settings.balances.payer, currency);
    const balance = parseDecimal(balances.customers[who]?.[currency] ?? settings.balances.payer, currency);
    if (balance - opening !== change) fail(`wallet ${who}: moved by ${balance - opening} minor ${currency}, Sokoni's records say ${change}`);
  }
  for (const [who, byCurrency] of Object.entries(balances.customers)) {
    for (const [currency, amount] of Object.entries(byCurrency)) {
      const moved = parseDecimal(amount, currency) - parseDecimal(settings.balances.payer, currency);
      if (moved !== 0 && !wallets.has(`${who}:${currency}`)) fail(`wallet ${who}: moved by ${moved} minor ${currency}, Sokoni has no record of it`);
    }
  }
}

export interface BooksReport {
  journals: number;
  /** One line per check, as the chaos report prints it. */
  lines: string[];
  violations: string[];
}

/**
 * The books' checks (issues #12, #14): every journal balances; each seller's payable equals the
 * shares of their paid orders less their successful payouts and the seller's parts of the
 * refunds given (claw-backs); and the books' expected MoMo
 * balances equal the sandbox's accounts to the minor unit (the run books the opening balances
 * first, as an operator would).
 */
export async function checkBooks(sql: Sql, sandbox: SandboxRecord): Promise<BooksReport> {
  const violations: string[] = [];
  const lines: string[] = [];
  const journals = (await sql.get<{ n: number }>('SELECT count(*) AS n FROM journals'))?.n ?? 0;
  // PostgreSQL allows no output alias in HAVING, so the aggregates are spelt out.
  const unbalanced = await sql.all<{ id: number; sum: number; n: number }>(`SELECT j.id, coalesce(sum(e.amount_minor), 0) AS sum, count(e.id) AS n FROM journals j
    LEFT JOIN entries e ON e.journal_id = j.id GROUP BY j.id HAVING coalesce(sum(e.amount_minor), 0) <> 0 OR count(e.id) < 2`);
  for (const j of unbalanced) violations.push(`journal ${j.id}: ${j.n} entries summing to ${j.sum}`);
  lines.push(unbalanced.length === 0 ? `every journal balances (${journals})` : `${unbalanced.length} of ${journals} journals do not balance`);

  const payables = await sql.all<{ sellerId: string; currency: string; expected: number; booked: number }>(`SELECT s.id AS sellerId, o.currency,
      coalesce((SELECT sum(o2.seller_amount_minor) FROM orders o2 JOIN movements c ON c.order_id = o2.id AND c.kind = 'collection' AND c.kind IN ('collection', 'payout')
        WHERE o2.seller_id = s.id AND o2.currency = o.currency AND c.status = 'successful'), 0)
      - coalesce((SELECT sum(p.amount_minor) FROM orders o3 JOIN movements p ON p.order_id = o3.id AND p.kind = 'payout' AND p.kind IN ('collection', 'payout')
        WHERE o3.seller_id = s.id AND o3.currency = o.currency AND p.status = 'successful'), 0)
      - coalesce((SELECT sum(r.seller_part_minor) FROM orders o4 JOIN refunds r ON r.order_id = o4.id
        WHERE o4.seller_id = s.id AND o4.currency = o.currency AND r.state = 'refunded' AND r.from_suspense = 0), 0) AS expected,
      -coalesce((SELECT sum(e.amount_minor) FROM entries e WHERE e.account = 'seller_payable:' || s.id AND e.currency = o.currency), 0) AS booked
    FROM sellers s JOIN orders o ON o.seller_id = s.id GROUP BY s.id, o.currency`);
  const wrong = payables.filter((p) => p.expected !== p.booked);
  for (const p of wrong) violations.push(`seller ${p.sellerId}: payable ${p.booked} minor ${p.currency} in the books, shares of paid orders less payouts and claw-backs are ${p.expected}`);
  lines.push(wrong.length === 0 ? `each seller's payable = shares of paid orders − successful payouts − claw-backs of refunds (${payables.length} sellers)` : `${wrong.length} seller payables disagree`);

  const booked = new Map((await sql.all<{ k: string; s: number }>(`SELECT account || ':' || currency AS k, sum(amount_minor) AS s FROM entries
    WHERE account IN ('collection', 'disbursement') GROUP BY account, currency`)).map((r) => [r.k, r.s]));
  const currencies = new Set([...booked.keys()].map((k) => k.slice(k.indexOf(':') + 1)));
  for (const [account, byCurrency] of Object.entries(sandbox.balances.accounts)) {
    if (account === 'collection' || account === 'disbursement') for (const currency of Object.keys(byCurrency)) currencies.add(currency);
  }
  const shown: string[] = [];
  for (const currency of currencies) {
    for (const account of ['collection', 'disbursement'] as const) {
      const books = booked.get(`${account}:${currency}`) ?? 0;
      const actual = parseDecimal(sandbox.balances.accounts[account]?.[currency] ?? sandbox.settings.balances[account], currency);
      if (books !== actual) violations.push(`${account} ${currency}: the books expect ${books} minor, the sandbox holds ${actual}`);
      shown.push(`${account} ${actual} ${currency}`);
    }
  }
  lines.push(`expected MoMo balances ${violations.some((v) => /the books expect/.test(v)) ? 'DIFFER from' : '='} the sandbox's, in minor units: ${shown.join(', ')}`);
  return { journals, lines, violations };
}
