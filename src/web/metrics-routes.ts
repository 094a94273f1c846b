// GET /metrics for Prometheus. The figures say how much money is moving and how MoMo is doing,
// which is nobody's business outside the shop: they answer callers on this machine, or anyone
// with METRICS_TOKEN as a Bearer token. Mounted before the admin identification, so the token
// is never looked up as an API key.
import { isIPv4 } from 'node:net';
import express, { type Request } from 'express';
import type { Config } from '../config';
import type { Metrics } from '../metrics';
import { sameSecret } from './admin-auth';
import { ApiError } from './errors';

export interface MetricsRouteDeps {
  config: Config;
  metrics: Metrics;
}

function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return address === '::1' || (isIPv4(v4) && v4.startsWith('127.'));
}

/**
 * The connection comes from this machine and no proxy forwarded it. A proxy or tunnel (nginx,
 * ngrok) on this machine connects from loopback too, and with TRUST_PROXY req.ip is whatever
 * the proxy says: so the socket's own address counts, and only when nothing was forwarded.
 */
function isLocal(req: Request): boolean {
  const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  return !forwarded && isLoopbackAddress(req.socket.remoteAddress);
}

export function createMetricsRouter({ config, metrics }: MetricsRouteDeps): express.Router {
  const router = express.Router();
  const token = config.metricsToken;

  router.get('/metrics', async (req, res) => {
    if (!isLocal(req)) {
      if (token === null) throw new ApiError(403, 'forbidden', 'GET /metrics answers local clients only; set METRICS_TOKEN to scrape from elsewhere');
      const bearer = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '')?.[1];
      if (!sameSecret(bearer, token)) {
        res.set('www-authenticate', 'Bearer realm="metrics"');
        throw new ApiError(401, 'unauthorized', 'Send Authorization: Bearer <METRICS_TOKEN>');
      }
    }
    const { contentType, body } = await metrics.scrape();
    res.set({ 'content-type': contentType, 'cache-control': 'no-store' }).send(body);
  });

  return router;
}
