// Per-address rate limits on the routes that cost something: POST /pay (and the order page's
// "try again", which places an order too) starts a MoMo request, and /callback starts a status
// check. Mounted before the body parsers, so a refused request is not even read.
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Config } from '../config';
import { ApiError } from './errors';

const minute = 60_000;

function limiter(perMinute: number, message: string) {
  return rateLimit({
    windowMs: minute,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Through the app's error handler, so the answer has the usual {error: {...}} shape, or the
    // error page for a browser.
    handler: (_req, _res, next) => next(new ApiError(429, 'too_many_requests', message)),
  });
}

export function createRateLimitRouter(config: Pick<Config, 'payRateLimitPerMin'>): express.Router {
  const pay = limiter(config.payRateLimitPerMin, 'Too many payment requests from this address; wait a minute and try again.');
  const router = express.Router();
  router.post(['/pay', '/orders/:id/retry', '/orders/:id/check'], pay);
  return router;
}

/** The callback route's own limit: it is served ahead of the app's middleware (callback-routes.ts), so it carries it. */
export function callbackRateLimit(config: Pick<Config, 'callbackRateLimitPerMin'>): express.RequestHandler {
  return limiter(config.callbackRateLimitPerMin, 'Too many callbacks from this address.');
}
