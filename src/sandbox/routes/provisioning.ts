// Sandbox provisioning (momo-api.md §2.2–2.4): create an API user, read it, issue API keys.
import type { Route } from '../dispatch';
import { badRequest, duplicate, momoError, notFound, ok } from '../reply';
import { isUuid, isReply, referenceIdHeader } from '../validation';

export const provisioningRoutes: Route[] = [
  {
    method: 'post',
    path: '/v1_0/apiuser',
    operation: 'provisioning.createApiUser',
    auth: 'key',
    body: true,
    handle({ req, body, core }) {
      const id = referenceIdHeader(req.get('x-reference-id'));
      if (isReply(id)) return id;
      const host = (body as { providerCallbackHost?: unknown } | undefined)?.providerCallbackHost;
      if (typeof host !== 'string' || host.trim() === '') return badRequest('providerCallbackHost is required.');
      if (core.identity.has(id)) return duplicate();
      core.identity.createUser(id, host.trim());
      return { status: 201 };
    },
  },
  {
    method: 'get',
    path: '/v1_0/apiuser/:id',
    operation: 'provisioning.getApiUser',
    auth: 'key',
    handle({ params, core }) {
      if (!isUuid(params.id)) return badRequest('The API user id must be a UUID.');
      const user = core.identity.get(params.id);
      if (!user) return notFound();
      // Sandbox API users are always in target environment `sandbox` (§1.3).
      return ok({ providerCallbackHost: user.providerCallbackHost, targetEnvironment: 'sandbox' });
    },
  },
  {
    method: 'post',
    path: '/v1_0/apiuser/:id/apikey',
    operation: 'provisioning.createApiKey',
    auth: 'key',
    handle({ params, core }) {
      if (!isUuid(params.id)) return badRequest('The API user id must be a UUID.');
      const user = core.identity.get(params.id);
      if (!user) return momoError(404, 'RESOURCE_NOT_FOUND', 'API_USER was not created.');
      return { status: 201, body: { apiKey: core.identity.createKey(user) } };
    },
  },
];
