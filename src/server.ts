// Sokoni assembled: database, MoMo (the embedded sandbox or a real one), checkout, web app,
// one HTTP server. main.ts runs it for people; tests and the benchmark run it on port 0.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createAccounts } from './accounts';
import { createBackoffice, createCatalogueDesk } from './backoffice';
import { createCatalogue, type VerifyWallet } from './catalogue';
import { createBooksService, startNightly } from './books';
import { createCheckout, type Checkout } from './checkout';
import type { Config, MomoSettings } from './config';
import { demoSeedOptions, PostgresOrderChanges, sharedSecret, type Database, type Sql } from './db';
import { openPostgresStore, openSqliteStore, type Store } from './db/open';
import { createLogger, type Logger } from './log';
import { createMetrics } from './metrics';
import { createMomoClient, momoOptionsFromConfig, newReferenceId, type MomoClient, type MomoProduct, type ProductCredentials } from './momo';
import type { WorkerHealth } from './movements';
import { createMomoProvider } from './providers';
import { createSandbox, type Sandbox } from './sandbox';
import { createSellerLive, createSellerPortal, type SellerPortal } from './sellers';
import { identifyCallers } from './web/admin-auth';
import { createAdminRouter } from './web/admin-routes';
import { StartupError } from './startup-error';
import { createBooksRouter } from './web/books-routes';
import { createApp } from './web/app';
import { createCallbackRouter } from './web/callback-routes';
import { createConsoleRouter } from './web/console-routes';
import { createMetricsRouter } from './web/metrics-routes';
import { createCsrf } from './web/csrf';
import { createOrderRouter } from './web/order-routes';
import { shopperRefunds } from './web/order-view';
import { createPages } from './web/pages';
import { createPayRouter } from './web/pay-routes';
import { createRefunds, type Refunds } from './refunds';
import { createRefundRouter } from './web/refund-routes';
import { answerStarting, createHealthApp, HEALTH_PATHS, type ReadinessCheck } from './web/health-routes';
import { trustOf } from './web/client-address';
import { createHotRoutes, hotRoutesAhead } from './web/hot-routes';
import { createRateLimitRouter, createRateLimits } from './web/rate-limits';
import { createSellerAuthRouter } from './web/seller-auth-routes';
import { createSellerPortalRouter } from './web/seller-portal-routes';
import { requireSeller } from './web/seller-session';
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
  /** SQLite's connection, for tests that look behind the port; on PostgreSQL (DATABASE_URL) there is none, and reading it throws. */
  readonly db: Database;
  /** The store's one `Sql` port (issue #17), SQLite's or PostgreSQL's: every room, and tests acting through them, use this, never a second one. */
  sql: Sql;
  checkout: Checkout;
  refunds: Refunds;
  sandbox: Sandbox | null;
  /** The seller portal's service (issue #15). */
  sellers: SellerPortal;
  close(): Promise<void>;
}

// The embedded sandbox accepts any subscription key; this one only names who is calling.
const embeddedSubscriptionKey = 'sokoni-embedded-sandbox';

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, port, host)));
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** The setting to change when the port cannot be had. */
function listenError(error: NodeJS.ErrnoException, port: number, host: string): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartupError('PORT', `port ${port} on ${host} is already in use; set PORT to a free port, or stop what holds it`);
    case 'EACCES':
      return new StartupError('PORT', `this user may not listen on port ${port} (ports below 1024 need privileges); set PORT to 1024 or above`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new StartupError('HOST', `${host} is not an address of this machine (${error.code}); set HOST to e.g. 127.0.0.1, or 0.0.0.0 for every interface`);
    default:
      return error;
  }
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

/**
 * A seller's number, asked of MoMo's Disbursements (it is the product that pays them): is the
 * wallet active, and whose is it. A failing basicuserinfo only loses the name: the wallet is
 * known to be active by then.
 */
export function momoWalletCheck(client: MomoClient): VerifyWallet {
  return async (msisdn) => {
    if (!(await client.disbursement.isAccountHolderActive('msisdn', msisdn))) return { active: false, name: null };
    const info = await client.disbursement.getBasicUserInfo('msisdn', msisdn).catch(() => null);
    const name = [info?.given_name, info?.family_name].filter((part) => typeof part === 'string' && part.trim() !== '').join(' ');
    return { active: true, name: name || null };
  };
}

/** MoMo is ready unless a product's circuit breaker is open (MoMo failing); half-open is recovering. */
function momoReadiness(client: MomoClient): { ok: boolean; detail: string } {
  const products = Object.entries(client.health()).filter(([, health]) => health.configured);
  const open = products.filter(([, health]) => health.state === 'open');
  const detail = products.map(([product, health]) => `${product} ${health.state}`).join(', ');
  return { ok: open.length === 0, detail: open.length === 0 ? detail : `${detail}: MoMo is failing, calls are held back until it recovers` };
}

/** A worker far behind (a minute) or failing on the database is not ready. */
function workerReadiness(health: WorkerHealth): { ok: boolean; detail: string } {
  if (health.state === 'failing') return { ok: false, detail: `failing on the database since ${new Date(health.failingSince!).toISOString()}` };
  return { ok: health.lagMs < 60_000, detail: `lag ${health.lagMs} ms` };
}

export async function startSokoni(config: Config, options: SokoniOptions = {}): Promise<Sokoni> {
  const log = options.log ?? createLogger();
  const seed = demoSeedOptions(config.momo.targetEnvironment, config.sellerShareBps);
  // SQLite is opened before listening, so a file that cannot be written stops start-up at once;
  // PostgreSQL after, so that while start-up waits for it to answer, /readyz says why.
  let store: Store | null = config.databaseUrl === null ? await openSqliteStore(config.databasePath, seed, log) : null;
  let waitingFor = 'connecting';

  // GET /readyz passes when Sokoni has started and every check here passes; each part adds
  // its check with one line.
  const readiness: ReadinessCheck[] = [{ name: 'database', check: () => store?.readiness() ?? { ok: false, detail: waitingFor } }];
  let started = false;
  const health = createHealthApp({ started: () => started, checks: readiness });

  // The server listens before the app is complete, because the embedded sandbox must answer
  // the provisioning calls that the app's MoMo credentials come from. Meanwhile everything but
  // the sandbox and the health paths answers 503 `starting`.
  const server = http.createServer();
  const sandboxMount = express.Router();
  let handle: http.RequestListener = express().disable('x-powered-by').use(sandboxMount).use(answerStarting);
  server.on('request', (req, res) => {
    if (HEALTH_PATHS.has((req.url ?? '').split('?')[0]!)) health(req, res);
    else handle(req, res);
  });
  let port: number;
  try {
    port = await listen(server, config.port, config.host);
    store ??= await openPostgresStore(config.databaseUrl!, { seed, log, waiting: (detail) => (waitingFor = detail) });
  } catch (error) {
    server.close();
    await store?.close();
    throw error;
  }
  const { sql } = store;
  const selfHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${selfHost.includes(':') ? `[${selfHost}]` : selfHost}:${port}`;

  // A real MoMo can only call back to a public URL. The embedded sandbox lives in this process
  // and can always reach the store, so it calls back to it directly: a shopper's approval on
  // the handset shows at once instead of at the next backed-off poll.
  const embedded = config.momo.mode === 'embedded';
  const callbackBase = config.publicUrl ?? (embedded ? url : null);
  const callbackUrl = callbackBase ? `${callbackBase}/callback` : null;

  let sandbox: Sandbox | null = null;
  let momoBaseUrl = config.momo.baseUrl ?? '';
  let credentials = config.momo.credentials;
  if (embedded) {
    sandbox = createSandbox(config.sandbox);
    sandboxMount.use('/sandbox', sandbox.router);
    momoBaseUrl = `${url}/sandbox`;
    credentials = await provisionEmbedded(momoBaseUrl, config, new URL(callbackBase!).hostname);
  }

  // GET /metrics: a registry of this Sokoni's own; MoMo's calls are counted as they end.
  const metrics = createMetrics({ sql });
  const client = createMomoClient({ ...momoOptionsFromConfig(config.momo, momoBaseUrl), credentials, onCall: (event) => metrics.momoCall(event) });
  const tokenParam = config.callbackToken ? `&token=${encodeURIComponent(config.callbackToken)}` : '';
  const providers = [createMomoProvider(client, { approvalWindowMs: config.worker.approvalWindowS * 1000, targetEnvironment: config.momo.targetEnvironment })];
  const catalogue = createCatalogue({
    sql,
    // The currencies are the provider's to say: new orders go to the first.
    acceptsCurrency: (code) => providers[0]!.acceptsCurrency(code),
    verifyWallet: config.sellerWalletCheck ? momoWalletCheck(client) : null,
    payoutNumberHoldMs: config.payoutNumberHoldMs,
  });
  // Several instances on one PostgreSQL (issue #17): a change made by any instance's worker
  // reaches the live pages this one serves. Listening before serving, so none is missed.
  const orderChanges = config.databaseUrl === null ? null : new PostgresOrderChanges({ url: config.databaseUrl, sql, log });
  await orderChanges?.start();
  const checkout = createCheckout({
    sql,
    ...(orderChanges ? { orderChanges } : {}),
    providers,
    settings: config.worker,
    log,
    callbackUrl: (reference) => (callbackUrl ? `${callbackUrl}?ref=${reference}${tokenParam}` : null),
    forSale: (product) => catalogue.isForSale(product),
  });
  readiness.push({ name: 'momo', check: () => momoReadiness(client) });
  readiness.push({ name: 'worker', check: () => workerReadiness(checkout.health()) });
  if (orderChanges) readiness.push({ name: 'orderChanges', check: () => orderChanges.readiness() });
  metrics.track({ breakers: () => client.health(), worker: () => checkout.health() });
  // The operator console (issue #13): people, sessions and API keys; ADMIN_TOKEN is an owner key for one more release.
  const accounts = createAccounts({ db: sql, owner2fa: config.owner2fa });
  if (config.adminToken) {
    log.warn('admin_token.deprecated', { message: 'ADMIN_TOKEN acts as an owner key for this release only: create people with npm run users:create and API keys in the console at /admin' });
  }
  // The books (issue #12): reports, exports, operator journals.
  const books = createBooksService({ sql, timezone: config.books.timezone, log, providers });
  // Refunds (issue #14): maker-checker over refund movements, audited in the accounts' log.
  const refunds = createRefunds({ sql, checkout, audit: (ctx, event, tx) => accounts.audit(ctx, event, tx), settings: config.refunds, log });
  const backoffice = createBackoffice({ sql, checkout, accounts, settings: config.worker, differences: books, clawbacks: refunds });
  const nightly = config.books.reconcileAt
    ? startNightly({ at: config.books.reconcileAt, zone: config.books.timezone, log, run: (period) => books.reconcile(period, 'nightly') })
    : null;
  // The seller portal (issue #15): one seller's sales, payouts and statement, live.
  const sellers = createSellerPortal({ sql, books, catalogue, accounts, providers });
  const csrf = createCsrf(config, ['/pay', '/orders/:id/retry', '/orders/:id/check', '/admin/*rest', '/seller/*rest'], await sharedSecret(sql, 'csrf'));
  const pages = createPages(config);
  const storefront = createStorefront({ config, catalogue, csrf, pages });
  const catalogueDesk = createCatalogueDesk({ catalogue, accounts });
  // One set of per-address counters for both lanes: the hot routes and the Express routes.
  const limits = createRateLimits(config);
  const refundsShopperSees = async (orderId: string) => shopperRefunds((await refunds.ofOrder(orderId)) ?? []);
  const hotRoutes = createHotRoutes({ config, checkout, log, limits, refunds: refundsShopperSees, trust: trustOf(config.trustProxy) });
  const app = createApp({
    config,
    catalogue,
    // The access log must see every request, so with it on the hot routes run inside the app.
    ...(config.accessLog ? { hotRoutes } : {}),
    firstRouters: [createCallbackRouter({ config, checkout, log, limits })],
    rawRouters: [sandboxMount, createMetricsRouter({ config, metrics }), createRateLimitRouter(limits), identifyCallers({ accounts, config, log })],
    routers: [
      csrf.router,
      storefront.router,
      createOrderRouter({
        config, checkout, csrf, pages,
        refunds: refundsShopperSees,
        streamOpened: () => metrics.streamOpened(),
      }),
      createPayRouter({ config, checkout, payFormRefused: storefront.payFormRefused }),
      createAdminRouter({ config, checkout }),
      createConsoleRouter({
        config,
        accounts,
        backoffice,
        catalogueDesk,
        expectedMomo: async () => (await books.balances({})).expectedMomo,
        csrf,
        refunds,
      }),
      createBooksRouter({ config, books }),
      createRefundRouter({ config, refunds }),
      // Sellers' sign-in and invites (issue #15); their portal is mounted behind requireSeller.
      createSellerAuthRouter({ config, accounts, desk: catalogueDesk, csrf }),
      createSellerPortalRouter({
        portal: sellers,
        live: createSellerLive(sql, (listener) => checkout.watchAll(listener)),
        csrf,
        pages,
        guard: requireSeller(accounts, config),
      }),
    ],
    renderErrorPage: storefront.renderErrorPage,
    commitWrites: () => store.commitNow(),
    logError: (error, req) => log.error('request.failed', { method: req.method, path: req.path, error }),
    ...(options.accessLogStream ? { accessLogStream: options.accessLogStream } : {}),
  });
  handle = config.accessLog ? app : hotRoutesAhead(hotRoutes, app);
  await checkout.start();
  refunds.start();
  store.serve();
  started = true;

  return {
    url,
    momoBaseUrl,
    callbackUrl,
    get db() {
      if (!store.sqlite) throw new Error('Sokoni runs on PostgreSQL (DATABASE_URL): there is no SQLite connection; use sokoni.sql');
      return store.sqlite;
    },
    sql,
    checkout,
    refunds,
    sandbox,
    sellers,
    async close() {
      nightly?.stop();
      refunds.stop();
      await checkout.stop();
      await client.close();
      sandbox?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await orderChanges?.close();
      await store.close();
    },
  };
}
