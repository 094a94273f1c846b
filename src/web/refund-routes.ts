// Refunds over HTTP (issue #14), behind the admin API's role guards: an operator asks, a second
// operator or owner approves or declines; anyone who may see orders may list an order's refunds.
// The service validates, audits and refuses; this file only maps bodies and answers.
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config';
import type { Refunds } from '../refunds';
import { actionContext, requireRole } from './admin-auth';
import { ApiError } from './errors';
import { parseBody } from './fields';

// Strict: a misspelt field (`amount` for `amountMinor`) is a 400 naming it. Types and ranges are
// the service's to check, so a CLI or the console get the same refusals.
const requestBody = z.strictObject({ amountMinor: z.unknown().optional(), reason: z.unknown().optional() });
const suspenseBody = z.strictObject({ reason: z.unknown().optional() });
const declineBody = z.strictObject({ reason: z.unknown().optional() });

export function createRefundRouter({ config, refunds }: { config: Config; refunds: Refunds }): express.Router {
  const router = express.Router();
  const viewer = requireRole('viewer', config.adminToken);
  // The service writes its own audit entries (request, approve, decline, and their refusals).
  const operator = requireRole('operator', config.adminToken, { auditsItself: true });
  const key = (req: Request) => req.get('idempotency-key') ?? null;

  router.post('/api/orders/:id/refunds', operator, async (req: Request, res: Response) => {
    const body = parseBody(requestBody, req.body);
    const refund = await refunds.request(actionContext(req, res), String(req.params.id), body, key(req));
    res.status(202).location(`/api/refunds/${refund.id}`).json(refund);
  });

  // Money that arrived against a failed order: all of it goes back, from suspense.
  router.post('/api/orders/:id/refunds/suspense', operator, async (req: Request, res: Response) => {
    const body = parseBody(suspenseBody, req.body);
    const refund = await refunds.requestSuspense(actionContext(req, res), String(req.params.id), body, key(req));
    res.status(202).location(`/api/refunds/${refund.id}`).json(refund);
  });

  router.get('/api/orders/:id/refunds', viewer, async (req: Request, res: Response) => {
    const list = await refunds.ofOrder(String(req.params.id));
    if (!list) throw new ApiError(404, 'order_not_found', 'No order with this id');
    res.json({ refunds: list });
  });

  router.get('/api/refunds/:id', viewer, async (req: Request, res: Response) => {
    const refund = await refunds.get(String(req.params.id));
    if (!refund) throw new ApiError(404, 'refund_not_found', 'No refund with this id');
    res.json(refund);
  });

  router.post('/api/refunds/:id/approve', operator, async (req: Request, res: Response) => {
    parseBody(z.strictObject({}), req.body);
    res.json(await refunds.approve(actionContext(req, res), String(req.params.id)));
  });

  router.post('/api/refunds/:id/decline', operator, async (req: Request, res: Response) => {
    const body = parseBody(declineBody, req.body);
    res.json(await refunds.decline(actionContext(req, res), String(req.params.id), body));
  });

  return router;
}
