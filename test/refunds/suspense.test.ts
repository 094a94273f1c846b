// Money that arrived against a failed order (issue #14): MoMo said SUCCESSFUL for another amount,
// so the order failed and the books hold what moved in suspense. A refund gives all of it back,
// by the same maker-checker rules, and clears the suspense.
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../src/accounts';
import { loadConfig } from '../../src/config';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { silentLogger } from '../../src/log';
import { createRefunds } from '../../src/refunds';
import { checkoutWithAlteredReads, finalOf } from '../checkout/altered-reads';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const person = (email: string, personId: string): ActionContext => ({ caller: { personId, email, role: 'operator', via: 'api_key', mustEnrol: false }, address: null });

describe('a refund of money that arrived against a failed order', () => {
  it('gives back all that moved, once a second person approves, and clears suspense', async () => {
    const { checkout, sql, control } = await checkoutWithAlteredReads((tx) => (tx.amountMinor === null ? tx : { ...tx, amountMinor: tx.amountMinor - 1 }), cleanups);
    const audited: string[] = [];
    const refunds = createRefunds({ sql, checkout, audit: (_ctx, event) => audited.push(`${event.action}:${event.outcome ?? 'done'}`), settings: loadConfig({}).refunds, log: silentLogger });
    const { snapshot } = await checkout.placeOrder({ productId: DEMO_PRODUCT_IDS[0]!, qty: 1, msisdn: '256772123456', idempotencyKey: null });
    const failed = await finalOf(checkout, snapshot.order.id);
    expect(failed.order.status).toBe('failed');
    const suspense = async () => (await sql.get<{ n: number }>(`SELECT coalesce(sum(amount_minor), 0) AS n FROM entries WHERE account = 'suspense'`))!.n;
    const moved = -(await suspense());
    expect(moved).toBe(failed.order.amountMinor - 1);

    // A failed order is refunded whole, never by an amount.
    await expect(refunds.request(person('a@example.com', 'a'), failed.order.id, { amountMinor: 100, reason: 'x' })).rejects.toThrow(/failed order is refunded whole/);
    const asked = await refunds.requestSuspense(person('a@example.com', 'a'), failed.order.id, { reason: 'paid after the order failed' });
    expect(asked).toMatchObject({ state: 'pending_approval', amountMinor: moved, fromSuspense: true, sellerPartMinor: 0, platformPartMinor: 0 });
    await expect(refunds.approve(person('a@example.com', 'a'), asked.id)).rejects.toThrow(/second person/);
    await refunds.approve(person('b@example.com', 'b'), asked.id);
    const deadline = Date.now() + 10_000;
    while ((await refunds.get(asked.id))!.state === 'approved' && Date.now() < deadline) await checkout.nextChange(failed.order.id, 200);
    expect((await refunds.get(asked.id))!.state).toBe('refunded');

    expect(control.transactions().filter((t) => t.kind === 'refund')).toMatchObject([{ status: 'SUCCESSFUL', referenceIdToRefund: failed.payment.referenceId }]);
    expect(await suspense()).toBe(0);
    expect((await sql.get<{ n: number }>(`SELECT sum(amount_minor) AS n FROM entries`))!.n).toBe(0);
    // Twice is refused: it was all given back.
    await expect(refunds.requestSuspense(person('a@example.com', 'a'), failed.order.id, { reason: 'again' })).rejects.toThrow(/already refunded/);
    expect(audited).toEqual(['refund.request:done', 'refund.approve:refused', 'refund.approve:done']);
  });
});
