// /pay, /orders/:id, /callback and /balance: the checkout over HTTP.
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config';
import { CheckoutError, isFinalOrder, type Checkout, type OrderSnapshot } from '../checkout';
import type { Logger } from '../log';
import { requireAdmin, sameSecret } from './admin-auth';
import { ApiError } from './errors';
import { msisdn, parseBody, qty, uuid } from './fields';
import { orderJson } from './order-json';

const maxWaitS = 60;
const idempotencyKey = z
  .string({ error: 'must be text' })
  .regex(/^[A-Za-z0-9_.:-]{1,255}$/, { error: 'must be 1–255 letters, digits or _ . : -' });

function paySchema(targetEnvironment: string, defaultCountryCode: string | null) {
  return z.object({
    productId: uuid,
    qty,
    phone: msisdn(targetEnvironment, defaultCountryCode),
    idempotencyKey: idempotencyKey.optional(),
  });
}

/** `Prefer: wait=N` (RFC 7240): how long the client is willing to wait for a final answer. */
function preferredWaitMs(req: Request): number {
  const match = /(?:^|[,;\s])wait=(\d+)/.exec(req.get('prefer') ?? '');
  return match ? Math.min(Number(match[1]), maxWaitS) * 1000 : 0;
}

function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json' || req.is('application/json') === 'application/json';
}

export interface CheckoutRouteDeps {
  config: Config;
  checkout: Checkout;
  log: Logger;
}

/** The HTML side of /pay and /orders/:id, drawn by the storefront. */
export interface CheckoutPages {
  order(snapshot: OrderSnapshot, req: Request, res: Response): void;
  /** A form post to /pay was refused (4xx): show the form again with the reason by the field. */
  payFormRefused(error: ApiError, req: Request, res: Response, next: NextFunction): void;
}

/** The routes that read parsed bodies: /pay, /orders/:id, /balance. */
export function createCheckoutRouter({ config, checkout }: CheckoutRouteDeps, pages: CheckoutPages): express.Router {
  const router = express.Router();
  const schema = paySchema(config.momo.targetEnvironment, config.defaultCountryCode);

  async function untilFinalOrTimeout(orderId: string, waitMs: number) {
    const deadline = Date.now() + waitMs;
    let snapshot = checkout.snapshot(orderId)!;
    while (!isFinalOrder(snapshot.order.status) && Date.now() < deadline) {
      await checkout.nextChange(orderId, deadline - Date.now());
      snapshot = checkout.snapshot(orderId)!;
    }
    return snapshot;
  }

  async function place(req: Request) {
    const body = { ...req.body, idempotencyKey: req.body?.idempotencyKey ?? req.get('idempotency-key') };
    if (body.idempotencyKey === undefined) delete body.idempotencyKey;
    const input = parseBody(schema, body);
    try {
      return await checkout.placeOrder({
        productId: input.productId,
        qty: input.qty,
        msisdn: input.phone,
        idempotencyKey: input.idempotencyKey ?? null,
      });
    } catch (error) {
      if (error instanceof CheckoutError) throw new ApiError(error.status, error.code, error.message, error.field);
      throw error;
    }
  }

  router.post('/pay', async (req: Request, res: Response, next: NextFunction) => {
    let placed;
    try {
      placed = await place(req);
    } catch (error) {
      if (error instanceof ApiError && error.status < 500 && !wantsJson(req)) return pages.payFormRefused(error, req, res, next);
      throw error;
    }
    const orderId = placed.snapshot.order.id;
    res.location(`/orders/${orderId}`);
    if (!wantsJson(req)) {
      res.redirect(303, `/orders/${orderId}`);
      return;
    }
    const snapshot = await untilFinalOrTimeout(orderId, preferredWaitMs(req));
    res.status(isFinalOrder(snapshot.order.status) ? 200 : 202).json(orderJson(snapshot));
  });

  router.get('/orders/:id', async (req: Request, res: Response) => {
    const id = uuid.safeParse(req.params.id);
    const snapshot = id.success ? checkout.snapshot(id.data) : undefined;
    if (!snapshot) throw new ApiError(404, 'order_not_found', 'No order with this id');
    if (wantsJson(req)) {
      res.json(orderJson(await untilFinalOrTimeout(snapshot.order.id, preferredWaitMs(req))));
      return;
    }
    pages.order(snapshot, req, res);
  });

  router.get('/balance', requireAdmin(config.adminToken), async (_req: Request, res: Response) => {
    try {
      res.json(await checkout.balances());
    } catch {
      throw new ApiError(502, 'provider_unavailable', 'MoMo did not answer the balance request; try again shortly');
    }
  });

  router.post('/api/orders/:id/payout/retry', requireAdmin(config.adminToken), (req: Request, res: Response) => {
    const id = uuid.safeParse(req.params.id);
    const snapshot = id.success ? checkout.snapshot(id.data) : undefined;
    if (!snapshot) throw new ApiError(404, 'order_not_found', 'No order with this id');
    if (!checkout.retryPayout(snapshot.order.id)) {
      throw new ApiError(409, 'payout_not_failed', `Only an order whose payout failed can be retried; this one is ${snapshot.order.status}`);
    }
    res.status(202).json(orderJson(checkout.snapshot(snapshot.order.id)!));
  });

  return router;
}

/**
 * POST|PUT /callback, mounted before the app's body parsers: MoMo's callbacks come with any
 * content type, and the body is never trusted anyway. It only names a reference, whose status
 * is then read from MoMo; the answer is 200 at once, also for references we do not know.
 */
export function createCallbackRouter({ config, checkout, log }: CheckoutRouteDeps): express.Router {
  const router = express.Router();
  const body = express.text({ type: () => true, limit: '16kb' });

  const handle = (req: Request, res: Response) => {
    if (config.callbackToken && !sameSecret(req.query.token, config.callbackToken)) {
      throw new ApiError(401, 'unauthorized', 'Callback token missing or wrong');
    }
    const reference = referenceOf(req);
    const matched = reference !== null && checkout.noteCallback(reference);
    if (!matched) log.info('callback.unmatched', { reference });
    res.status(200).json({ received: true });
  };
  router.post('/callback', body, handle);
  router.put('/callback', body, handle);
  return router;
}

/** Our callback URLs carry `ref`; a body's referenceId is accepted for hand-made tests. */
function referenceOf(req: Request): string | null {
  const fromQuery = uuid.safeParse(req.query.ref);
  if (fromQuery.success) return fromQuery.data;
  try {
    const parsed = JSON.parse(typeof req.body === 'string' ? req.body : '') as { referenceId?: unknown };
    const fromBody = uuid.safeParse(parsed.referenceId);
    return fromBody.success ? fromBody.data : null;
  } catch {
    return null;
  }
}
