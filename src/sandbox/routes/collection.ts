// Collection: requesttopay, requesttowithdraw (v1_0 and v2_0), delivery notification, plus the shared routes.
import type { Route } from '../dispatch';
import { badRequest, momoError, notFound, ok } from '../reply';
import { isUuid } from '../validation';
import { sharedRoutes } from './shared';
import { createRoute, statusRoute } from './transactions';

const NOTIFICATION_LIMIT = 160;

const deliveryNotification: Route = {
  method: 'post',
  path: '/collection/v1_0/requesttopay/:referenceId/deliverynotification',
  operation: 'collection.deliveryNotification',
  auth: 'bearer',
  body: true,
  handle({ req, params, body, core }) {
    if (!isUuid(params.referenceId)) return badRequest('The reference id must be a UUID.');
    // The current spec wants a notificationMessage header; older SDKs send it in the body (§4.5).
    const fromBody = (body as { notificationMessage?: unknown } | undefined)?.notificationMessage;
    const message = req.get('notificationmessage') ?? (typeof fromBody === 'string' ? fromBody : undefined);
    if (!message) return badRequest('notificationMessage is required.');
    if (message.length > NOTIFICATION_LIMIT) return badRequest(`notificationMessage must be at most ${NOTIFICATION_LIMIT} characters.`);
    const tx = core.accounts.find(params.referenceId, ['requesttopay']);
    if (!tx) return notFound();
    // One notification per transaction; MTN answers a second with 429 (JAVA integration test).
    if (tx.notified) return momoError(429, 'TOO_MANY_REQUESTS', 'A delivery notification was already sent for this transaction.');
    core.accounts.markNotified(tx);
    return ok();
  },
};

export const collectionRoutes: Route[] = [
  ...sharedRoutes('collection'),
  createRoute({ product: 'collection', kind: 'requesttopay', version: 'v1_0', path: 'requesttopay', operation: 'collection.requestToPay' }),
  statusRoute('collection', 'requesttopay', ['requesttopay'], 'collection.getRequestToPay'),
  deliveryNotification,
  createRoute({ product: 'collection', kind: 'requesttowithdraw', version: 'v1_0', path: 'requesttowithdraw', operation: 'collection.requestToWithdraw' }),
  createRoute({ product: 'collection', kind: 'requesttowithdraw', version: 'v2_0', path: 'requesttowithdraw', operation: 'collection.requestToWithdrawV2' }),
  statusRoute('collection', 'requesttowithdraw', ['requesttowithdraw'], 'collection.getRequestToWithdraw'),
];
