// MoMo's limits as the store meets them (issue #16): with Sokoni's default limits (10 status
// reads and 50 creates per second per product) against a sandbox that enforces the same and
// answers 429 beyond them, a backlog of payments nobody approves keeps the read lane busy, and
// new orders still go out at once and settle, without a single 429.
import { afterEach, describe, expect, it } from 'vitest';
import { demoProductId, pay, startStore, waitForOrder, type Store } from './helpers';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const tooMany = (store: Store) =>
  Object.values(store.control.calls().byEndpoint).reduce((sum, endpoint) => sum + (endpoint.statuses['429'] ?? 0), 0);

describe('MoMo rate limits', () => {
  it('a backlog of status reads does not hold new orders back, and no limit is ever exceeded (no 429)', { timeout: 60_000 }, async () => {
    store = await startStore({
      MOMO_STATUS_READS_PER_S: '10',
      MOMO_CREATES_PER_S: '50',
      SANDBOX_STATUS_READS_PER_S: '10',
      SANDBOX_CREATES_PER_S: '50',
      // Reads as eager as they go: the backlog below wants far more than 10 a second.
      CHECK_FIRST_MS: '10',
      CHECK_MAX_MS: '100',
    });
    // 46733123453 never answers: its payments stay PENDING and are read again and again.
    const backlog = await Promise.all(Array.from({ length: 30 }, () => pay(store!, { productId: demoProductId, qty: 1, phone: '46733123453' })));
    expect(backlog.every((placed) => placed.status === 202)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const readsSoFar = store.control.calls().byOperation['collection.getRequestToPay'] ?? 0;
    expect(readsSoFar).toBeGreaterThan(5);

    // Orders placed one after another while the read lane is saturated: each create leaves at
    // once (POST /pay answers once MoMo accepted it) and each settles.
    for (let i = 0; i < 5; i++) {
      const placed = await pay(store, { productId: demoProductId, qty: 1, phone: `2567721234${10 + i}` });
      expect(placed.body.payment.status).not.toBe('sending');
      const done = await waitForOrder(store, placed.body.id, (o) => o.status === 'settled', 20_000);
      expect(done.payout?.status).toBe('successful');
    }
    expect(tooMany(store)).toBe(0);
  });
});
