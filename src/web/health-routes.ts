// Liveness and readiness for whatever runs Sokoni (a load balancer, systemd, Kubernetes), and
// the answer to everything else while it starts. They sit in front of the app (server.ts routes
// these two paths here), so they answer from the first moment the port is open, carry no
// cookies or access-log lines, and never depend on how the app's routers are wired.
import express, { type RequestHandler, type Response } from 'express';

export interface CheckResult {
  ok: boolean;
  /** One short line for an operator; never a secret. */
  detail: string;
}

/**
 * One part that must be well for Sokoni to take orders. `check` runs on every GET /readyz, so it
 * must be cheap and must never wait: it reads state that is already known.
 */
export interface ReadinessCheck {
  name: string;
  check: () => CheckResult;
}

export const HEALTH_PATHS = new Set(['/healthz', '/readyz']);

function noStore(res: Response): Response {
  return res.set({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
}

/** GET /healthz: the process answers. GET /readyz: it has started and every check passes. */
export function createHealthApp(options: { started(): boolean; checks: ReadinessCheck[] }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    noStore(res).json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const checks = new Map<string, CheckResult>([['startup', options.started() ? { ok: true, detail: 'started' } : { ok: false, detail: 'starting' }]]);
    for (const { name, check } of options.checks) checks.set(name, runCheck(check));
    const ready = [...checks.values()].every((result) => result.ok);
    noStore(res).status(ready ? 200 : 503);
    if (!ready) res.set('retry-after', '1');
    res.json({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(checks) });
  });
  app.use((_req, res) => {
    noStore(res).set('allow', 'GET').status(405).json({ error: { code: 'method_not_allowed', message: 'Use GET' } });
  });
  return app;
}

/** A check that throws is a failing check, not a failing probe. */
function runCheck(check: () => CheckResult): CheckResult {
  try {
    return check();
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : 'check failed' };
  }
}

/** Everything but the embedded sandbox and the health paths, until the app is complete. */
export const answerStarting: RequestHandler = (_req, res) => {
  noStore(res)
    .status(503)
    .set('retry-after', '1')
    .json({ error: { code: 'starting', message: 'Sokoni is starting; try again in a moment.' } });
};
