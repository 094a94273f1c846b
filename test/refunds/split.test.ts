import { describe, expect, it } from 'vitest';
import { splitRefund, type OrderSplit, type RefundedSoFar } from '../../src/refunds';
import { splitShare } from '../../src/money';

/** mulberry32: a small seeded PRNG, so a failing sequence can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const none: RefundedSoFar = { amountMinor: 0, sellerMinor: 0, platformMinor: 0 };

describe('the refund split', () => {
  it('divides in the order proportion and gives the last refund the remainders', () => {
    const order: OrderSplit = { amountMinor: 1001, sellerMinor: 800, platformMinor: 201 };
    const first = splitRefund(order, none, 333);
    expect(first).toEqual({ sellerMinor: 266, platformMinor: 67 });
    const soFar = { amountMinor: 333, sellerMinor: 266, platformMinor: 67 };
    expect(splitRefund(order, soFar, 668)).toEqual({ sellerMinor: 534, platformMinor: 134 });
    expect(splitRefund(order, none, 1001)).toEqual({ sellerMinor: 800, platformMinor: 201 });
  });

  it('refuses a refund beyond what is left, and one that is not a positive whole amount', () => {
    const order: OrderSplit = { amountMinor: 100, sellerMinor: 80, platformMinor: 20 };
    expect(() => splitRefund(order, { amountMinor: 60, sellerMinor: 48, platformMinor: 12 }, 41)).toThrow(/give back 101 of 100/);
    expect(() => splitRefund(order, none, 0)).toThrow(/positive/);
    expect(() => splitRefund(order, none, 1.5)).toThrow(/positive/);
  });

  it('never exceeds either share and a full refund returns both to zero, over many random sequences', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const random = prng(seed);
      const amountMinor = 1 + Math.floor(random() * (random() < 0.3 ? 20 : 5_000_000));
      const bps = [0, 10_000, 8000, 3333, Math.floor(random() * 10_001)][Math.floor(random() * 5)]!;
      const { seller, platform } = splitShare(amountMinor, bps);
      const order: OrderSplit = { amountMinor, sellerMinor: seller, platformMinor: platform };
      const soFar = { ...none };
      const full = random() < 0.7;
      while (soFar.amountMinor < amountMinor) {
        const left = amountMinor - soFar.amountMinor;
        const refund = random() < 0.2 ? left : 1 + Math.floor(random() * left);
        const parts = splitRefund(order, soFar, refund);
        expect(parts.sellerMinor + parts.platformMinor, `seed ${seed}`).toBe(refund);
        expect(Math.min(parts.sellerMinor, parts.platformMinor), `seed ${seed}`).toBeGreaterThanOrEqual(0);
        soFar.amountMinor += refund;
        soFar.sellerMinor += parts.sellerMinor;
        soFar.platformMinor += parts.platformMinor;
        expect(soFar.sellerMinor, `seed ${seed}`).toBeLessThanOrEqual(seller);
        expect(soFar.platformMinor, `seed ${seed}`).toBeLessThanOrEqual(platform);
        // In proportion: the seller's running part is the floor of its share of the running total.
        if (soFar.amountMinor < amountMinor) expect(soFar.sellerMinor, `seed ${seed}`).toBe(Math.floor((soFar.amountMinor * seller) / amountMinor));
        if (!full && random() < 0.3) break;
      }
      if (soFar.amountMinor === amountMinor) expect([soFar.sellerMinor, soFar.platformMinor], `seed ${seed}`).toEqual([seller, platform]);
    }
  });
});
