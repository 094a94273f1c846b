// The worker never gives up on money that may have moved: past the approval window it keeps
// reading at a slow pace, and an order that stays open too long is flagged as stuck.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { demoProductId, pay, startStore, waitForOrder, type Store } from './helpers';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('an order that stays open', () => {
  it('is flagged stuck in the order JSON and the logs after STUCK_AFTER_S', async () => {
    const lines: string[] = [];
    store = await startStore({ SANDBOX_APPROVAL: 'handset', STUCK_AFTER_S: '1' }, { log: createLogger({ write: (l) => lines.push(l) }) });
    const placed = await pay(store, { productId: demoProductId, qty: 1, phone: '256772123456' });
    expect(placed.body.stuck).toBe(false);
    const stuck = await waitForOrder(store, placed.body.id, (o) => (o as unknown as { stuck: boolean }).stuck);
    expect(stuck.status).toBe('pending');
    const deadline = Date.now() + 5000;
    while (!lines.some((l) => l.includes('"order.stuck"')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const warning = JSON.parse(lines.find((l) => l.includes('"order.stuck"'))!);
    expect(warning).toMatchObject({ level: 'warn', orderId: placed.body.id, what: 'payment' });
    // Logged once when it becomes stuck, not on every read after.
    await new Promise((r) => setTimeout(r, 1500));
    expect(lines.filter((l) => l.includes('"order.stuck"'))).toHaveLength(1);
    expect(lines.join('\n')).not.toContain('256772123456');
  });

  it('keeps reading after the approval window, at the slow pace', async () => {
    store = await startStore({ SANDBOX_APPROVAL: 'handset', APPROVAL_WINDOW_S: '1', SLOW_CHECK_S: '3600' });
    const placed = await pay(store, { productId: demoProductId, qty: 1, phone: '256772123456' });
    const nextCheck = async () =>
      (await store!.sokoni.sql.get<{ at: number }>('SELECT next_check_at AS at FROM movements WHERE reference_id = ?', [placed.body.payment.referenceId]))!.at;
    const deadline = Date.now() + 5000;
    while ((await nextCheck()) < Date.now() + 3_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await nextCheck()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(await nextCheck()).toBeLessThanOrEqual(Date.now() + 3_600_000);
  });
});
