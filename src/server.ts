// Sokoni assembled: database, MoMo (the embedded sandbox or a real one), checkout, web app,
// one HTTP server. main.ts runs it for people; tests and the benchmark run it on port 0.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createBooksService, startNightly } from './books';
import { createCheckout, type Checkout } from './checkout';
import type { Config, MomoSettings } from './config';
import { applyMigrations, demoSeedOptions, ensureDemoCatalogue, openDatabase, type Database } from './db';
import { createLogger, type Logger } from './log';
import { createMomoClient, momoOptionsFromConfig, newReferenceId, type MomoProduct, type ProductCredentials } from './momo';
import { createMomoProvider } from './providers';
import { createSandbox, type Sandbox } from './sandbox';
import { createAdminRouter } from './web/admin-routes';
import { createBooksRouter } from './web/books-routes';
import { createApp } from './web/app';
import { createCallbackRouter } from './web/callback-routes';
import { createCsrf } from './web/csrf';
import { createOrderRouter } from './web/order-routes';
import { createPages } from './web/pages';
import { createPayRouter } from './web/pay-routes';
import { createRateLimitRouter } from './web/rate-limits';
import { createStorefront } from './web/storefront-routes';

export interface SokoniOptions {
  log?: Logger;
  /** Where access-log lines go (tests capture them). */
  accessLogStream?: { write(line: string): boolean };
}

export interface Sokoni {
  /** Where this process answers, e.g. http://127.0.0.1:3000 */
  url: string;
  /** The MoMo base URL in use (the embedded sandbox's, or the configured one). */
  momoBaseUrl: string;
  /** Where MoMo's callbacks are sent: PUBLIC_URL's, the store itself on the embedded sandbox, else null (polling only). */
  callbackUrl: string | null;
  db: Database;
  checkout: Checkout;
  sandbox: Sandbox | null;
  close(): Promise<void>;
}

// The embedded sandbox accepts any subscription key; this one only names who is calling.
const embeddedSubscriptionKey = 'sokoni-embedded-sandbox';

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Creates an API user and key per product in the embedded sandbox, as a developer would in MTN's. */
async function provisionEmbedded(baseUrl: string, config: Config, providerCallbackHost: string): Promise<MomoSettings['credentials']> {
  const subscriptionKey = config.sandbox.subscriptionKeys?.[0] ?? embeddedSubscriptionKey;
  const provisioning = createMomoClient({ baseUrl, targetEnvironment: config.momo.targetEnvironment, credentials: {} }).provisioning(subscriptionKey);
  const credentials: Partial<Record<MomoProduct, ProductCredentials>> = {};
  for (const product of ['collection', 'disbursement'] as const) {
    const apiUser = await provisioning.createApiUser({ referenceId: newReferenceId(), providerCallbackHost });
    credentials[product] = { subscriptionKey, apiUser, apiKey: await provisioning.createApiKey(apiUser) };
  }
  return credentials;
}

export async function startSokoni(config: Config, options: SokoniOptions = {}): Promise<Sokoni> {
  const log = options.log ?? createLogger();
  const db = openDatabase(config.databasePath);
  applyMigrations(db);
  const seed = demoSeedOptions(config.momo.targetEnvironment, config.sellerShareBps);
  if (seed) ensureDemoCatalogue(db, seed);

  // The server listens before the app is complete, because the embedded sandbox must answer
  // the provisioning calls that the app's MoMo credentials come from.
  const server = http.createServer();
  let handle: http.RequestListener = (_req, res) => {
    res.writeHead(503, { 'retry-after': '1' }).end();
  };
  server.on('request', (req, res) => handle(req, res));
  const port = await listen(server, config.port, config.host);
  const selfHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${selfHost.includes(':') ? `[${selfHost}]` : selfHost}:${port}`;

  // A real MoMo can only call back to a public URL. The embedded sandbox lives in this process
  // and can always reach the store, so it calls back to it directly: a shopper's approval on
  // the handset shows at once instead of at the next backed-off poll.
  const embedded = config.momo.mode === 'embedded';
  const callbackBase = config.publicUrl ?? (embedded ? url : null);
  const callbackUrl = callbackBase ? `${callbackBase}/callback` : null;

  let sandbox: Sandbox | null = null;
  const sandboxMount = express.Router();
  let momoBaseUrl = config.momo.baseUrl ?? '';
  let credentials = config.momo.credentials;
  if (embedded) {
    sandbox = createSandbox(config.sandbox);
    sandboxMount.use('/sandbox', sandbox.router);
    handle = express().use(sandboxMount);
    momoBaseUrl = `${url}/sandbox`;
    credentials = await provisionEmbedded(momoBaseUrl, config, new URL(callbackBase!).hostname);
  }

  const client = createMomoClient({ ...momoOptionsFromConfig(config.momo, momoBaseUrl), credentials });
  const tokenParam = config.callbackToken ? `&token=${encodeURIComponent(config.callbackToken)}` : '';
  const providers = [createMomoProvider(client)];
  const checkout = createCheckout({
    db,
    providers,
    settings: config.worker,
    log,
    callbackUrl: (reference) => (callbackUrl ? `${callbackUrl}?ref=${reference}${tokenParam}` : null),
  });
  // The books (issue #12): reports, exports, operator journals.
  const books = createBooksService({ db, timezone: config.books.timezone, log, providers });
  const nightly = config.books.reconcileAt
    ? startNightly({ at: config.books.reconcileAt, zone: config.books.timezone, log, run: (period) => books.reconcile(period, 'nightly') })
    : null;
  const csrf = createCsrf(config, ['/pay', '/orders/:id/retry']);
  const pages = createPages(config);
  const storefront = createStorefront({ config, db, csrf, pages });
  handle = createApp({
    config,
    db,
    rawRouters: [sandboxMount, createRateLimitRouter(config), createCallbackRouter({ config, checkout, log })],
    routers: [
      csrf.router,
      storefront.router,
      createOrderRouter({ checkout, csrf, pages }),
      createPayRouter({ config, checkout, payFormRefused: storefront.payFormRefused }),
      createAdminRouter({ config, checkout }),
      createBooksRouter({ config, books }),
    ],
    renderErrorPage: storefront.renderErrorPage,
    logError: (error, req) => log.error('request.failed', { method: req.method, path: req.path, error }),
    ...(options.accessLogStream ? { accessLogStream: options.accessLogStream } : {}),
  });
  checkout.start();

  return {
    url,
    momoBaseUrl,
    callbackUrl,
    db,
    checkout,
    sandbox,
    async close() {
      nightly?.stop();
      await checkout.stop();
      sandbox?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}
