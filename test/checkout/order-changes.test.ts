// The checkout's side of order changes shared between instances (issue #17): its own committed
// changes go out, another instance's wake this one's watchers, and after a gap in listening every
// watched order is read again. The sharing itself (PostgreSQL's LISTEN/NOTIFY) is
// test/db/postgres-notify.test.ts's; here it is a bus in memory that the test drives.
import { afterEach, expect, it } from 'vitest';
import type { OrderChanges } from '../../src/db';
import { checkoutWithAlteredReads, finalOf } from './altered-reads';
import { demoProductId } from './helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function memoryBus() {
  const published: string[] = [];
  const subscribers: { listener: (orderId: string) => void; missed: () => void }[] = [];
  const bus: OrderChanges = {
    publish: (orderId) => void published.push(orderId),
    subscribe(listener, missed = () => undefined) {
      const subscriber = { listener, missed };
      subscribers.push(subscriber);
      return () => subscribers.splice(subscribers.indexOf(subscriber), 1);
    },
    close: () => Promise.resolve(),
  };
  return {
    bus,
    published,
    /** As if another instance changed the order. */
    fromElsewhere: (orderId: string) => subscribers.forEach((s) => s.listener(orderId)),
    /** As if the listening connection had been lost and was back. */
    gap: () => subscribers.forEach((s) => s.missed()),
  };
}

it('publishes its own changes, and wakes its watchers for changes made elsewhere and after a gap in listening', async () => {
  const shared = memoryBus();
  const { checkout } = await checkoutWithAlteredReads((tx) => tx, cleanups, { orderChanges: shared.bus });
  const { snapshot } = await checkout.placeOrder({ productId: demoProductId, qty: 1, msisdn: '256772123456', idempotencyKey: null });
  const orderId = snapshot.order.id;
  expect((await finalOf(checkout, orderId)).order.status).toBe('settled');
  // Every change of the order's movements went out once committed: sent, paid, payout sent, settled.
  expect(shared.published.length).toBeGreaterThanOrEqual(4);
  expect(new Set(shared.published)).toEqual(new Set([orderId]));

  const heard: string[] = [];
  cleanups.push(checkout.watch(orderId, () => heard.push('watch')));
  cleanups.push(checkout.watch('another-order', () => heard.push('another')));
  cleanups.push(checkout.watchAll((id) => heard.push(`all:${id}`)));
  shared.fromElsewhere(orderId);
  expect(heard).toEqual(['watch', `all:${orderId}`]);
  heard.length = 0;
  shared.gap();
  expect(heard.sort()).toEqual(['all:another-order', `all:${orderId}`, 'another', 'watch'].sort());
});
