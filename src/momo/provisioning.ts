// Sandbox provisioning: an API user (whose id the caller chooses) and its API key, created
// with nothing but a product's subscription key. Paths sit outside the product prefix.
import type { CallChannel } from './channel';
import { invalidResponse } from './errors';
import type { Provisioning } from './types';
import { Checker } from './validate';

// MoMo wants the bare host that callbacks will go to (webhook.site), not a URL.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function createProvisioning(channel: CallChannel): Provisioning {
  return {
    async createApiUser(input) {
      const operation = 'provisioning.createApiUser';
      const check = new Checker(operation, typeof input?.referenceId === 'string' ? input.referenceId : null);
      const referenceId = check.referenceIdV4(input?.referenceId);
      const host = input.providerCallbackHost;
      if (typeof host !== 'string' || !HOST_NAME.test(host)) check.fail('providerCallbackHost', 'must be a bare host name such as webhook.site, not a URL');
      await channel.call({
        operation,
        method: 'POST',
        path: '/v1_0/apiuser',
        referenceId,
        create: true,
        body: { providerCallbackHost: host },
        expect: [201],
        alreadyDoneStatus: 409,
      });
      return referenceId;
    },

    async getApiUser(apiUser) {
      const operation = 'provisioning.getApiUser';
      const id = new Checker(operation, null).referenceIdV4(apiUser, 'apiUser');
      const answer = await channel.call({ operation, method: 'GET', path: `/v1_0/apiuser/${id}`, referenceId: null, expect: [200] });
      const body = answer.body as { providerCallbackHost?: unknown; targetEnvironment?: unknown } | null;
      if (typeof body?.providerCallbackHost !== 'string' || typeof body.targetEnvironment !== 'string') {
        throw invalidResponse(answer, operation, null, 'API user without providerCallbackHost and targetEnvironment');
      }
      return { providerCallbackHost: body.providerCallbackHost, targetEnvironment: body.targetEnvironment };
    },

    async createApiKey(apiUser) {
      const operation = 'provisioning.createApiKey';
      const id = new Checker(operation, null).referenceIdV4(apiUser, 'apiUser');
      // Each call issues a new key, so a retry after a lost answer is harmless: the key it
      // returns is the newest one.
      const answer = await channel.call({ operation, method: 'POST', path: `/v1_0/apiuser/${id}/apikey`, referenceId: null, expect: [200, 201] });
      const apiKey = (answer.body as { apiKey?: unknown } | null)?.apiKey;
      if (typeof apiKey !== 'string' || apiKey === '') throw invalidResponse(answer, operation, null, 'API key answer without apiKey');
      return apiKey;
    },
  };
}
