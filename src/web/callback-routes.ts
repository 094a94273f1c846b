// POST|PUT /callback: providers call back with any content type, the body is never trusted
// anyway, and the answer is a bare 200 to a server, which needs no security headers, CORS or
// access log. The hot routes (hot-routes.ts) serve nearly every callback; this router, mounted
// ahead of the app's middleware (app.ts `firstRouters`), serves the rest (a compressed body, a
// charset other than UTF-8), through the same `noteCallback` below and the same rate limit.
// The provider's adapter finds the reference it names, whose status is then read; the answer
// is 200 at once, also for references we do not know.
import express, { type Request, type Response } from 'express';
import type { Checkout } from '../checkout';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { IncomingCallback } from '../providers';
import { sameSecret } from './admin-auth';
import { ApiError } from './errors';
import type { RateLimits } from './rate-limits';

export interface CallbackRouteDeps {
  config: Config;
  checkout: Checkout;
  log: Logger;
}

/** The answer to every callback we take. */
export const CALLBACK_RECEIVED = { received: true } as const;

/** Checks the callback's token, then hands it to the checkout; throws the 401 for a wrong token. */
export function callbackNoter({ config, checkout, log }: CallbackRouteDeps): (callback: IncomingCallback) => Promise<void> {
  return async (callback) => {
    if (config.callbackToken && !sameSecret(callback.query.token, config.callbackToken)) {
      throw new ApiError(401, 'unauthorized', 'Callback token missing or wrong');
    }
    const { reference, matched } = await checkout.noteCallback(callback);
    if (!matched) log.info('callback.unmatched', { reference });
  };
}

export function createCallbackRouter(deps: CallbackRouteDeps & { limits: RateLimits }): express.Router {
  const router = express.Router();
  const body = express.text({ type: () => true, limit: '16kb' });
  const note = callbackNoter(deps);

  const handle = async (req: Request, res: Response) => {
    await note({ query: req.query, body: typeof req.body === 'string' ? req.body : '' });
    res.status(200).json(CALLBACK_RECEIVED);
  };
  const limit = deps.limits.callback.middleware();
  router.post('/callback', limit, body, handle);
  router.put('/callback', limit, body, handle);
  return router;
}
