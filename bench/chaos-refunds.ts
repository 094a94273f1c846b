// Refunds in the chaos run (issue #14): a share of the orders is refunded at random moments,
// partially or fully, through the admin API as an operator's script would: asked for with the
// owner key (ADMIN_TOKEN) and an Idempotency-Key, approved by a second person with their own API
// key, each call sent again until it is answered, while Sokoni is killed and MoMo fails.
import { performance } from 'node:perf_hooks';
import { createAccounts } from '../src/accounts';
import type { Sql } from '../src/db';
import type { JsonAnswer, JsonClient } from './http';

export interface RefundTally {
  /** Orders picked for a refund. */
  picked: number;
  /** Refund requests answered (202) and approvals answered. */
  requested: number;
  approved: number;
  /** Picked orders that never became refundable (their payment failed). */
  notRefundable: number;
}

const APPROVER = { email: 'chaos-approver@example.com', password: 'chaos approver passphrase' };

/** The second person: an operator with an API key, written into Sokoni's database before the run. */
export async function createApprover(sql: Sql): Promise<string> {
  const accounts = createAccounts({ db: sql, owner2fa: false });
  const person = await accounts.createPerson(null, { email: APPROVER.email, role: 'operator', password: APPROVER.password });
  const caller = { personId: person.id, email: person.email, role: person.role, via: 'api_key' as const, mustEnrol: false };
  return (await accounts.createApiKey({ caller, address: null }, 'chaos approver')).key;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface OrderState {
  status: string;
  amountMinor: number;
  refundedMinor: number;
  refundOpen: boolean;
}

interface Refund {
  id: string;
  state: string;
}

/**
 * Refunds one order: once it is paid, a part of it (or all), and for some orders later the rest.
 * Every call goes again until it gets an answer that settles it; `deadline` bounds the whole.
 */
export async function refundOrder(
  client: () => JsonClient,
  orderId: string,
  keys: { requester: string; approver: string },
  random: () => number,
  tally: RefundTally,
  deadline: number,
): Promise<void> {
  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const call = async (method: 'GET' | 'POST', path: string, key: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<JsonAnswer> => {
    for (;;) {
      try {
        const answer = await client().request(method, path, { ...(key ? as(key) : {}), ...headers }, body, 5000);
        // Sokoni starting, busy, or MoMo-side trouble answered as 5xx: ask again.
        if (answer.status < 500 && answer.status !== 429) return answer;
      } catch {
        // Sokoni is down or the connection broke: ask again.
      }
      if (performance.now() > deadline) throw new Error(`${method} ${path}: no answer before the deadline`);
      await sleep(100);
    }
  };
  const order = async () => (await call('GET', `/orders/${orderId}`, null)).body as OrderState;

  // A random moment: the order may still be waiting for its payment.
  await sleep(random() * 1500);
  let now = await order();
  // Polled gently: many shoppers' orders are being refunded at once, on the same two cores.
  while (now.status === 'pending') {
    if (performance.now() > deadline) throw new Error(`order ${orderId} never left pending`);
    await sleep(1000);
    now = await order();
  }
  if (!['paid', 'settled', 'payout_failed'].includes(now.status)) {
    tally.notRefundable++;
    return;
  }
  tally.picked++;
  // Half the orders get all of it back at once; the others a part, and a third of those the rest later.
  const parts = random() < 0.5 ? [now.amountMinor] : [1 + Math.floor(random() * (now.amountMinor - 1)), ...(random() < 0.33 ? ['rest' as const] : [])];
  for (const [n, part] of parts.entries()) {
    now = await order();
    while (now.refundOpen) {
      if (performance.now() > deadline) throw new Error(`order ${orderId}: its refund never became final`);
      await sleep(1000);
      now = await order();
    }
    const amountMinor = part === 'rest' ? now.amountMinor - now.refundedMinor : part;
    if (amountMinor <= 0) return;
    const asked = await call('POST', `/api/orders/${orderId}/refunds`, keys.requester, { amountMinor, reason: `Chaos refund ${n + 1}` }, { 'idempotency-key': `chaos-refund-${orderId}-${n}` });
    if (asked.status !== 202) throw new Error(`order ${orderId}: asking for a refund of ${amountMinor} answered ${asked.status} ${JSON.stringify(asked.body)}`);
    tally.requested++;
    const refund = asked.body as Refund;
    if (refund.state !== 'pending_approval') continue;
    const approved = await call('POST', `/api/refunds/${refund.id}/approve`, keys.approver, {});
    // Answered before the kill but lost: the refund is already approved, which is what was asked.
    if (approved.status === 409 && ((await call('GET', `/api/refunds/${refund.id}`, keys.approver)).body as Refund).state !== 'pending_approval') {
      tally.approved++;
      continue;
    }
    if (approved.status !== 200) throw new Error(`refund ${refund.id}: approving answered ${approved.status} ${JSON.stringify(approved.body)}`);
    tally.approved++;
  }
}
