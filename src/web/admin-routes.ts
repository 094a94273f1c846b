// The operator's routes over the checkout, each behind the admin token: MoMo balances and
// sending a failed payout again.
import express, { type Request, type Response } from 'express';
import type { Checkout } from '../checkout';
import type { Config } from '../config';
import { requireRole } from './admin-auth';
import { ApiError } from './errors';
import { uuid } from './fields';
import { orderJson } from './order-json';

export function createAdminRouter({ config, checkout }: { config: Config; checkout: Checkout }): express.Router {
  const router = express.Router();
  const viewer = requireRole('viewer', config.adminToken);
  const operator = requireRole('operator', config.adminToken);

  router.get('/balance', viewer, async (_req: Request, res: Response) => {
    try {
      res.json(await checkout.balances());
    } catch {
      throw new ApiError(502, 'provider_unavailable', 'MoMo did not answer the balance request; try again shortly');
    }
  });

  router.post('/api/orders/:id/payout/retry', operator, async (req: Request, res: Response) => {
    const id = uuid.safeParse(req.params.id);
    const snapshot = id.success ? await checkout.snapshot(id.data) : undefined;
    if (!snapshot) throw new ApiError(404, 'order_not_found', 'No order with this id');
    if (!(await checkout.retryPayout(snapshot.order.id))) {
      throw new ApiError(409, 'payout_not_failed', `Only an order whose payout failed can be retried; this one is ${snapshot.order.status}`);
    }
    res.status(202).json(orderJson((await checkout.snapshot(snapshot.order.id))!));
  });

  return router;
}
