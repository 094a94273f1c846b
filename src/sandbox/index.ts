// The embedded MoMo sandbox: a local MTN MoMo Open API that clients cannot tell from MTN's
// sandbox, plus a handset to approve on, working callbacks and faults on demand.
// `createSandbox` gives a router to mount anywhere (Sokoni uses /sandbox); `startSandbox` runs it
// alone on 127.0.0.1.
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import { createControl, controlRouter, type SandboxControl } from './control';
import { SandboxCore } from './core';
import { register } from './dispatch';
import { handsetRouter } from './handset/router';
import { noSuchOperation } from './reply';
import { collectionRoutes } from './routes/collection';
import { disbursementRoutes } from './routes/disbursement';
import { provisioningRoutes } from './routes/provisioning';
import { remittanceRoutes } from './routes/remittance';
import type { SettingsPatch } from './settings';

export type { SandboxControl, TransactionView, BalancesView, CallsView, BalanceTarget } from './control';
export type { FaultRule, FaultRuleInput, FaultKind } from './faults';
export type { HandsetAnswer, HandsetRequest } from './handset/requests';
export { DEFAULT_SETTINGS, SettingsError, type ApprovalMode, type CallbackMethod, type SandboxSettings, type SettingsPatch } from './settings';
export { sandboxSettingsFromEnv, type EnvProblem } from './env';
export type { Product } from './products';

export interface Sandbox {
  router: Router;
  control: SandboxControl;
  /** Stops every timer (deadlines, callback retries, held requests). */
  close(): void;
}

/** Any subset of the settings (nested `balances`/`faults` may be partial too), and a base clock for tests. */
export type SandboxOptions = SettingsPatch & { now?: () => number };

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const { now, ...settings } = options;
  const core = new SandboxCore(settings, now);
  const control = createControl(core);
  const router = express.Router();
  router.use('/handset', handsetRouter(core));
  router.use('/_control', controlRouter(control));
  for (const route of [...provisioningRoutes, ...collectionRoutes, ...disbursementRoutes, ...remittanceRoutes]) register(router, core, route);
  // Whatever no operation matches gets the gateway's 404, as on MTN.
  router.use((_req, res) => {
    const reply = noSuchOperation();
    res.status(reply.status).json(reply.body);
  });
  return { router, control, close: () => core.close() };
}

export interface RunningSandbox {
  sandbox: Sandbox;
  /** e.g. http://127.0.0.1:8089, the base URL a MoMo client is given. */
  url: string;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}, listen: { port?: number; host?: string } = {}): Promise<RunningSandbox> {
  const sandbox = createSandbox(options);
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(sandbox.router);
  const host = listen.host ?? '127.0.0.1';
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = app.listen(listen.port ?? options.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  // Clients keep connections alive; a longer keep-alive than theirs avoids resets under load.
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    sandbox,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        sandbox.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
