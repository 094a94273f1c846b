// POST|PUT /callback, mounted ahead of the app's middleware (app.ts `firstRouters`): providers
// call back with any content type, the body is never trusted anyway, and the answer is a bare
// 200 to a server, which needs no security headers, CORS or access log; two callbacks per order
// are a quarter of the HTTP exchanges on the hot path (issue #16). The provider's adapter finds the
// reference it names, whose status is then read; the answer is 200 at once, also for
// references we do not know.
import express, { type Request, type Response } from 'express';
import type { Checkout } from '../checkout';
import type { Config } from '../config';
import type { Logger } from '../log';
import { sameSecret } from './admin-auth';
import { ApiError } from './errors';
import { callbackRateLimit } from './rate-limits';

export interface CallbackRouteDeps {
  config: Config;
  checkout: Checkout;
  log: Logger;
}

export function createCallbackRouter({ config, checkout, log }: CallbackRouteDeps): express.Router {
  const router = express.Router();
  const body = express.text({ type: () => true, limit: '16kb' });
  const limit = callbackRateLimit(config);

  const handle = async (req: Request, res: Response) => {
    if (config.callbackToken && !sameSecret(req.query.token, config.callbackToken)) {
      throw new ApiError(401, 'unauthorized', 'Callback token missing or wrong');
    }
    const { reference, matched } = await checkout.noteCallback({ query: req.query, body: typeof req.body === 'string' ? req.body : '' });
    if (!matched) log.info('callback.unmatched', { reference });
    res.status(200).json({ received: true });
  };
  router.post('/callback', limit, body, handle);
  router.put('/callback', limit, body, handle);
  return router;
}
