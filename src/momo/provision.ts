// Creates sandbox credentials for one product: an API user for a callback host, then its API
// key, and the .env lines Sokoni's config reads them from.
import { createMomoClient } from './client';
import { MomoError } from './errors';
import { newReferenceId } from './ids';
import type { MomoProduct } from './types';

export const MTN_SANDBOX_URL = 'https://sandbox.momodeveloper.mtn.com';

export interface ProvisionInput {
  baseUrl: string;
  subscriptionKey: string;
  providerCallbackHost: string;
  product: MomoProduct;
  /** Waits between attempts to create the key while the new user is not yet visible. */
  keyRetryDelayMs?: number;
}

export interface Provisioned {
  apiUser: string;
  apiKey: string;
  envLines: string[];
}

// MTN's sandbox may not know a user for a moment after creating it (the Python client
// waits 5 s), which shows as a 404 on the key request.
const KEY_ATTEMPTS = 5;

export async function provision(input: ProvisionInput): Promise<Provisioned> {
  const client = createMomoClient({ baseUrl: input.baseUrl, targetEnvironment: 'sandbox', credentials: {}, timeoutMs: 20_000, maxRetries: 2 });
  const provisioning = client.provisioning(input.subscriptionKey);
  const apiUser = await provisioning.createApiUser({ referenceId: newReferenceId(), providerCallbackHost: input.providerCallbackHost });
  let apiKey: string | null = null;
  for (let attempt = 1; apiKey === null; attempt += 1) {
    try {
      apiKey = await provisioning.createApiKey(apiUser);
    } catch (error) {
      if (!(error instanceof MomoError) || error.status !== 404 || attempt >= KEY_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, input.keyRetryDelayMs ?? 1000));
    }
  }
  const prefix = input.product.toUpperCase();
  return {
    apiUser,
    apiKey,
    envLines: [
      `MOMO_BASE_URL=${input.baseUrl}`,
      'MOMO_TARGET_ENVIRONMENT=sandbox',
      `${prefix}_PRIMARY_KEY=${input.subscriptionKey}`,
      `${prefix}_USER_ID=${apiUser}`,
      `${prefix}_API_SECRET=${apiKey}`,
    ],
  };
}
