// POST /pay: a JSON client gets the order (202, or 200 once final with `Prefer: wait`); a form
// post gets 303 to the order page, or the form again with the reason by the field.
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { isFinalOrder, type Checkout } from '../checkout';
import type { Config } from '../config';
import { ApiError, toApiError } from './errors';
import { msisdn, parseBody, qty, uuid } from './fields';
import { orderJson } from './order-json';
import { untilFinalOrTimeout } from './order-routes';
import { preferredWaitMs, wantsJson } from './wants';

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

export interface PayRouteDeps {
  config: Config;
  checkout: Checkout;
  /** A form post to /pay was refused (4xx): show the form again with the reason by the field. */
  payFormRefused(error: ApiError, req: Request, res: Response, next: NextFunction): void;
}

export function createPayRouter({ config, checkout, payFormRefused }: PayRouteDeps): express.Router {
  const router = express.Router();
  const schema = paySchema(config.momo.targetEnvironment, config.defaultCountryCode);

  async function place(req: Request) {
    const body = { ...req.body, idempotencyKey: req.body?.idempotencyKey ?? req.get('idempotency-key') };
    if (body.idempotencyKey === undefined) delete body.idempotencyKey;
    const input = parseBody(schema, body);
    return checkout.placeOrder({
      productId: input.productId,
      qty: input.qty,
      msisdn: input.phone,
      idempotencyKey: input.idempotencyKey ?? null,
    });
  }

  router.post('/pay', async (req: Request, res: Response, next: NextFunction) => {
    let placed;
    try {
      placed = await place(req);
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
    const snapshot = await untilFinalOrTimeout(checkout, orderId, preferredWaitMs(req));
    res.status(isFinalOrder(snapshot.order.status) ? 200 : 202).json(orderJson(snapshot));
  });

  return router;
}
