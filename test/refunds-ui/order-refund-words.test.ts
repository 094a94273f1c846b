// What the shopper's order page says about refunds (issue #14): "Refunded €X on <date>" per
// refund that landed, "on its way" only once MoMo has accepted one, nothing for a request still
// waiting for approval or one that moved no money, and the page stays live while one is open.
import { describe, expect, it } from 'vitest';
import { refundsView, type OrderRefund } from '../../src/web/order-view';

const at = Date.UTC(2026, 11, 2, 9, 30);
const refund = (over: Partial<OrderRefund>): OrderRefund => ({ amountMinor: 1250, currency: 'EUR', status: 'refunded', acceptedAt: at - 2000, refundedAt: at, ...over });

describe('refund lines on the order page', () => {
  it('a full refund is one line with its date, and the order reads as refunded', () => {
    const view = refundsView([refund({ amountMinor: 3000 })], 3000, 'Africa/Kampala');
    expect(view).toEqual({ lines: [{ text: 'Refunded €30.00 on 2 Dec 2026, 12:30 GMT+3', done: true }], full: true, open: false });
  });

  it('partial refunds are a line each; one MoMo has accepted is on its way, and keeps the page live', () => {
    const view = refundsView([refund({}), refund({ amountMinor: 500, status: 'approved', refundedAt: null })], 3000, 'UTC');
    expect(view.lines).toEqual([
      { text: 'Refunded €12.50 on 2 Dec 2026, 09:30 UTC', done: true },
      { text: 'A refund of €5.00 is on its way to your MoMo wallet.', done: false },
    ]);
    expect(view.full).toBe(false);
    expect(view.open).toBe(true);
  });

  it('says nothing of a request waiting for approval or not yet accepted by MoMo, nor of one declined or failed', () => {
    for (const status of ['pending_approval', 'approved']) {
      const view = refundsView([refund({ status, acceptedAt: null, refundedAt: null })], 3000, 'UTC');
      expect(view.lines).toEqual([]);
      expect(view.open).toBe(true);
    }
    for (const status of ['declined', 'expired', 'failed']) {
      expect(refundsView([refund({ status, refundedAt: null })], 3000, 'UTC')).toEqual({ lines: [], full: false, open: false });
    }
  });

  it('partials that add up to everything paid make the order refunded in full', () => {
    expect(refundsView([refund({ amountMinor: 1000 }), refund({ amountMinor: 2000 })], 3000, 'UTC').full).toBe(true);
  });
});
