// POST /pay: a JSON client gets the order (202, or 200 once final with `Prefer: wait`); a form
// post gets 303 to the order page, or the form again with the reason by the field.
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { isFinalOrder, type Checkout, type OrderSnapshot } from '../checkout';
import type { Config } from '../config';
import { DomainError } from '../domain-error';
import { shortId } from '../uuid';
import { ApiError, toApiError } from './errors';
import { msisdn, parseBody, qty, uuid } from './fields';
import { orderJson } from './order-json';
import { untilFinalOrTimeout } from './order-routes';
import { preferredWaitMs, wantsJson } from './wants';

/** A second order for the same basket from the same number within this is asked about first. */
const repeatWindowMs = 10 * 60_000;

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

/** What a payment request says, whichever lane read it. */
export interface PayRequest {
  /** The parsed body: a form's fields or a JSON object. */
  sent: Record<string, unknown>;
  /** The Idempotency-Key header, for clients that send the key there. */
  idempotencyKeyHeader: string | undefined;
  /** A form post (asked about a repeat purchase), not a JSON client. */
  fromForm: boolean;
}

/**
 * Placing an order from POST /pay and its JSON answer, shared by this router and the hot
 * routes (hot-routes.ts), which serve JSON clients without Express's middleware.
 */
export function createPayment({ config, checkout }: Pick<PayRouteDeps, 'config' | 'checkout'>) {
  const schema = paySchema(config.momo.targetEnvironment, config.defaultCountryCode);

  async function place({ sent, idempotencyKeyHeader, fromForm }: PayRequest) {
    const body: Record<string, unknown> = { ...sent, idempotencyKey: sent.idempotencyKey ?? idempotencyKeyHeader };
    if (body.idempotencyKey === undefined) delete body.idempotencyKey;
    const input = parseBody(schema, body);
    // A shopper who went back after paying and pays again most likely did not mean to: the form
    // says so and asks. API clients have idempotency keys for that.
    if (fromForm && sent.confirmRepeat !== 'yes') {
      const recent = await checkout.recentSameOrder({ msisdn: input.phone, productId: input.productId, qty: input.qty }, repeatWindowMs);
      // The same form sent twice (its idempotency key) is one order, not a second purchase.
      if (recent && recent.idempotencyKey !== (input.idempotencyKey ?? null)) {
        const minutes = Math.max(1, Math.round((Date.now() - recent.createdAt) / 60_000));
        throw new DomainError('conflict', 'repeat_purchase',
          `This number already ordered this ${minutes === 1 ? 'a minute' : `${minutes} minutes`} ago (order ${shortId(recent.id)}). Pay again?`);
      }
    }
    return checkout.placeOrder({
      productId: input.productId,
      qty: input.qty,
      msisdn: input.phone,
      idempotencyKey: input.idempotencyKey ?? null,
    });
  }

  /**
   * A JSON client's answer to `placed`: 200 once the order is final (waiting up to `waitMs` for
   * it), else 202. Placing read the order after its writes were committed, so a client that
   * does not wait, or an order already final, is answered from that snapshot, not a second read.
   */
  async function jsonAnswer(placed: OrderSnapshot, waitMs: number) {
    const final = isFinalOrder(placed.order.status);
    const snapshot = waitMs === 0 || final ? placed : await untilFinalOrTimeout(checkout, placed.order.id, waitMs, placed.order.status);
    return { status: isFinalOrder(snapshot.order.status) ? 200 : 202, body: orderJson(snapshot) };
  }

  return { place, jsonAnswer };
}

export interface PayRouteDeps {
  config: Config;
  checkout: Checkout;
  /** A form post to /pay was refused (4xx): show the form again with the reason by the field. */
  payFormRefused: (error: ApiError, req: Request, res: Response, next: NextFunction) => void;
}

export function createPayRouter({ config, checkout, payFormRefused }: PayRouteDeps): express.Router {
  const router = express.Router();
  const payment = createPayment({ config, checkout });

  router.post('/pay', async (req: Request, res: Response, next: NextFunction) => {
    let placed;
    try {
      placed = await payment.place({
        sent: (req.body ?? {}) as Record<string, unknown>,
        idempotencyKeyHeader: req.get('idempotency-key'),
        fromForm: !wantsJson(req),
      });
    } catch (caught) {
      const error = toApiError(caught);
      if (error.status < 500 && !wantsJson(req)) return payFormRefused(error, req, res, next);
      throw caught;
    }
    const orderId = placed.snapshot.order.id;
    res.location(`/orders/${orderId}`);
    if (!wantsJson(req)) {
      res.redirect(303, `/orders/${orderId}`);
      return;
    }
    const { status, body } = await payment.jsonAnswer(placed.snapshot, preferredWaitMs(req));
    res.status(status).json(body);
  });

  return router;
}
