// GET /orders/:id/events: the order as Server-Sent Events. One `data:` message with the order
// JSON on connect and after each committed change; the stream ends once the order is final.
import express, { type Request, type Response } from 'express';
import { isFinalOrder, type Checkout } from '../checkout';
import { ApiError } from './errors';
import { uuid } from './fields';
import { orderJson } from './order-json';

// A comment line now and then keeps proxies and phones from closing an idle connection.
const keepAliveMs = 20_000;

export function createOrderEventsRouter(checkout: Checkout): express.Router {
  const router = express.Router();

  router.get('/orders/:id/events', (req: Request, res: Response) => {
    const id = uuid.safeParse(req.params.id);
    const first = id.success ? checkout.snapshot(id.data) : undefined;
    if (!first) throw new ApiError(404, 'order_not_found', 'No order with this id');
    const orderId = first.order.id;

    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      // nginx would otherwise hold the events back in its buffer.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();

    let lastSent = '';
    const send = () => {
      const snapshot = checkout.snapshot(orderId)!;
      const data = JSON.stringify(orderJson(snapshot));
      // The watcher fires on every commit; the page only needs to hear about real changes.
      if (data !== lastSent) {
        lastSent = data;
        res.write(`data: ${data}\n\n`);
      }
      if (isFinalOrder(snapshot.order.status)) stop(true);
    };
    const unwatch = checkout.watch(orderId, send);
    const keepAlive = setInterval(() => res.write(': still here\n\n'), keepAliveMs);
    function stop(end: boolean) {
      unwatch();
      clearInterval(keepAlive);
      if (end && !res.writableEnded) res.end();
    }
    req.on('close', () => stop(false));
    send();
  });

  return router;
}
