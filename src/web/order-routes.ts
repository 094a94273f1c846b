// /orders/:id in all its forms: JSON (long-polled with `Prefer: wait`), the order page, its
// live fragment, its event stream, and "try again" after a failed payment.
import express, { type Request, type Response } from 'express';
import { isFinalOrder, type Checkout, type OrderSnapshot, type OrderStatus } from '../checkout';
import type { Config } from '../config';
import { shortId } from '../uuid';
import { CSRF_FIELD, type Csrf } from './csrf';
import { ApiError } from './errors';
import { maskMsisdn, uuid } from './fields';
import { orderJson } from './order-json';
import { isOpenRefund, orderView, type OrderRefund } from './order-view';
import type { Pages } from './pages';
import { preferredWaitMs, wantsJson } from './wants';

// A comment line now and then keeps proxies and phones from closing an idle event stream.
const keepAliveMs = 20_000;

export interface OrderRouteDeps {
  config: Config;
  checkout: Checkout;
  csrf: Csrf;
  pages: Pages;
  /** The order's refunds, oldest first (the refunds room's); none without it. */
  refunds?: (orderId: string) => Promise<readonly OrderRefund[]>;
  /** Told when an event stream opens; returns what to call when it closes (for /metrics). */
  streamOpened?: () => () => void;
}

/**
 * Waits for the order to become final, at most `waitMs`; the snapshot as it is then. A wake-up
 * reads only the status (several come per order, one per committed change); the whole snapshot
 * is read once, for the answer. `statusNow`: the status a caller has just read.
 */
export async function untilFinalOrTimeout(checkout: Checkout, orderId: string, waitMs: number, statusNow?: OrderStatus): Promise<OrderSnapshot> {
  const deadline = Date.now() + waitMs;
  let status = statusNow ?? (await checkout.orderStatus(orderId))!;
  while (!isFinalOrder(status) && Date.now() < deadline) {
    await checkout.nextChange(orderId, deadline - Date.now());
    status = (await checkout.orderStatus(orderId))!;
  }
  return (await checkout.snapshot(orderId))!;
}

/** The order's refunds as the shopper sees them; none without the refunds room. */
type RefundsOf = (snapshot: OrderSnapshot) => Promise<readonly OrderRefund[]>;

function refundsReader(refunds: OrderRouteDeps['refunds'] = () => Promise.resolve([])): RefundsOf {
  // Most orders never have a refund: the snapshot says whether there is anything to read.
  return async (snapshot) => (snapshot.hasRefunds ? refunds(snapshot.order.id) : []);
}

/**
 * GET /orders/:id for a JSON client: the order once final, or as it is after `waitMs`; a 404
 * for an id that is no order. Shared by this router and the hot routes (hot-routes.ts).
 */
export function orderJsonAnswer({ checkout, refunds }: Pick<OrderRouteDeps, 'checkout' | 'refunds'>): (id: string, waitMs: number) => Promise<ReturnType<typeof orderJson>> {
  const refundsOf = refundsReader(refunds);
  return async (id, waitMs) => {
    // Only whether it exists first: the snapshot is read once, for the answer.
    const parsed = uuid.safeParse(id);
    const status = parsed.success ? await checkout.orderStatus(parsed.data) : undefined;
    if (!parsed.success || !status) throw new ApiError(404, 'order_not_found', 'No order with this id');
    const snapshot = await untilFinalOrTimeout(checkout, parsed.data, waitMs, status);
    return orderJson(snapshot, await refundsOf(snapshot));
  };
}

export function createOrderRouter({ config, checkout, csrf, pages, refunds, streamOpened }: OrderRouteDeps): express.Router {
  const router = express.Router();
  const refundsOf = refundsReader(refunds);
  const json = orderJsonAnswer({ checkout, refunds });

  async function orderSnapshot(id: unknown, message = 'No order with this id'): Promise<OrderSnapshot> {
    const parsed = uuid.safeParse(id);
    const snapshot = parsed.success ? await checkout.snapshot(parsed.data) : undefined;
    if (!snapshot) throw new ApiError(404, 'order_not_found', message);
    return snapshot;
  }

  async function orderLocals(req: Request, res: Response, snapshot: OrderSnapshot) {
    const ofOrder = await refundsOf(snapshot);
    const view = orderView(snapshot, { maskedPhone: maskMsisdn(snapshot.order.payerMsisdn), now: Date.now(), timezone: config.shopTimezone, refunds: ofOrder });
    const shown = orderJson(snapshot, ofOrder).refunds.map((r) => r.status).join(',');
    return {
      order: view,
      stuck: snapshot.stuck,
      shopContact: config.shopContact,
      // public/js/order.js builds the same string from each event and fetches the fragment when they differ.
      signature: `${snapshot.order.status}/${snapshot.payment.status}/${snapshot.payout?.status ?? ''}/${snapshot.stuck}${shown ? `/${shown}` : ''}`,
      transactionId: snapshot.payment.financialTransactionId,
      // Only the embedded sandbox gets a link with the full number: its numbers are simulated.
      handsetUrl: pages.shop.handset ? `/sandbox/handset?msisdn=${encodeURIComponent(snapshot.order.payerMsisdn)}` : null,
      csrfField: CSRF_FIELD,
      // The forms on the page: "try again" after a failure, "check again" when it is stuck.
      csrfToken: view.stage === 'failed' || snapshot.stuck ? csrf.token(req, res) : '',
    };
  }

  router.get('/orders/:id', async (req: Request, res: Response) => {
    if (wantsJson(req)) {
      res.json(await json(String(req.params.id), preferredWaitMs(req)));
      return;
    }
    const snapshot = await orderSnapshot(req.params.id);
    pages.render(res, 'order', { title: `Order ${shortId(snapshot.order.id)}`, ...(await orderLocals(req, res, snapshot)) });
  });

  // The live part of the order page, fetched by public/js/order.js when the order changes.
  router.get('/orders/:id/status', async (req, res) => {
    const snapshot = await orderSnapshot(req.params.id, 'We have no order with this number.');
    res.set('Cache-Control', 'no-store').render('partials/order-status', { shop: pages.shop, ...(await orderLocals(req, res, snapshot)) });
  });

  // The order as Server-Sent Events: one `data:` message with the order JSON on connect and
  // after each committed change; the stream ends once the order is final and no refund is open.
  router.get('/orders/:id/events', async (req: Request, res: Response) => {
    const first = await orderSnapshot(req.params.id);
    const orderId = first.order.id;
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      // nginx would otherwise hold the events back in its buffer.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const streamClosed = streamOpened?.();

    let lastSent = '';
    let stopped = false;
    const show = (snapshot: OrderSnapshot, ofOrder: readonly OrderRefund[]) => {
      if (stopped) return;
      const data = JSON.stringify(orderJson(snapshot, ofOrder));
      // The watcher fires on every commit; the page only needs to hear about real changes.
      if (data !== lastSent) {
        lastSent = data;
        res.write(`data: ${data}\n\n`);
      }
      // A refund still to land is news the page waits for: the stream ends once it has.
      if (isFinalOrder(snapshot.order.status) && !ofOrder.some(isOpenRefund)) stop(true);
    };
    // Read as soon as the watcher fires, which is right after a commit: the snapshot is what was
    // committed. A read that fails ends the stream; the page's EventSource opens it again.
    const send = () => {
      checkout.snapshot(orderId).then(async (snapshot) => show(snapshot!, await refundsOf(snapshot!))).catch(() => stop(true));
    };
    const unwatch = checkout.watch(orderId, send);
    const keepAlive = setInterval(() => res.write(': still here\n\n'), keepAliveMs);
    // Becoming stuck is a matter of time, not of a change in the database: tell the page when it
    // happens, so it can say what comes next and offer "Check again".
    const stuckInMs = first.order.createdAt + config.worker.stuckAfterS * 1000 - Date.now();
    const stuckTimer = first.stuck || stuckInMs < 0 ? null : setTimeout(send, stuckInMs + 250);
    function stop(end: boolean) {
      if (stopped) return;
      stopped = true;
      unwatch();
      clearInterval(keepAlive);
      if (stuckTimer) clearTimeout(stuckTimer);
      streamClosed?.();
      if (end && !res.writableEnded) res.end();
    }
    req.on('close', () => stop(false));
    send();
  });

  // "Check again" on a stuck order: read MoMo now instead of at the next scheduled read. A read
  // never charges anyone; the page then shows whatever MoMo says.
  router.post('/orders/:id/check', async (req, res) => {
    const { order } = await orderSnapshot(req.params.id, 'We have no order with this number.');
    await checkout.checkNow(order.id);
    res.redirect(303, `/orders/${order.id}`);
  });

  router.post('/orders/:id/retry', async (req, res) => {
    const { order } = await orderSnapshot(req.params.id, 'We have no order with this number.');
    if (order.status !== 'failed') {
      res.redirect(303, `/orders/${order.id}`);
      return;
    }
    const placed = await checkout.placeOrder({
      productId: order.productId,
      qty: order.qty,
      msisdn: order.payerMsisdn,
      // Pressing "try again" twice must not ask for two payments.
      idempotencyKey: `retry:${order.id}`,
    });
    res.redirect(303, `/orders/${placed.snapshot.order.id}`);
  });

  return router;
}
