// The Express app: security headers, body limits, logs, views, then the routers. It does not
// listen; main.ts and the tests decide where it runs.
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import cors from 'cors';
import express from 'express';
import morgan from 'morgan';
import type { Config } from '../config';
import type { Catalogue } from '../catalogue';
import { accessLogFormat } from './access-log';
import { createCatalogueRouter } from './catalogue-routes';
import { trustOf } from './client-address';
import { ApiError, errorHandler, notFound, type HtmlErrorRenderer } from './errors';
import { raiseHotRefusal, type HotRoutes } from './hot-routes';
import { createHelmet } from './security-headers';

export const VIEWS_DIR = fileURLToPath(new URL('../../views', import.meta.url));
export const PUBLIC_DIR = fileURLToPath(new URL('../../public', import.meta.url));

/** Everything under public/: its folders and the favicon. */
const ASSET_PATH = /^\/(?:css|js)\/|^\/favicon\.svg$/;

/** Where server.ts mounts the embedded sandbox's control API. */
const CONTROL_PATH = '/sandbox/_control';

/** Request bodies are small forms and JSON objects; anything bigger is refused with 413. */
export const BODY_LIMIT = '16kb';

export interface AppDeps {
  config: Config;
  catalogue: Catalogue;
  /** Mounted after the catalogue API, before the 404 handler. */
  routers?: express.Router[];
  /**
   * Runs first (after the access log): the hot routes (hot-routes.ts), which answer the
   * exchanges every order makes without the middleware below, or pass the request on untouched.
   * Only with the access log on; otherwise the server runs them ahead of the app.
   */
  hotRoutes?: HotRoutes;
  /**
   * Mounted first, before security headers, CORS, the access log and the body parsers: routes
   * that answer servers, not browsers, on the hot path (/callback), with their own limits.
   */
  firstRouters?: express.Router[];
  /** Mounted before the body parsers, for routes that read their own bodies. */
  rawRouters?: express.Router[];
  /** Where access-log lines go; stdout by default. */
  accessLogStream?: Pick<Writable, 'write'>;
  /** Where unexpected errors are reported; console.error by default. */
  logError?: (error: unknown, req: express.Request) => void;
  /** Renders error pages for browsers; the plain views/error.ejs by default. */
  renderErrorPage?: HtmlErrorRenderer;
  /**
   * Commits the writes the worker's turn holds open (db/group-commit.ts). Called before any
   * answer but the hot path's own, so what an answer reports is never taken back by a crash.
   */
  commitWrites?: () => void;
}

/**
 * The hot path's answers, which need no commit first: POST /pay waits for its own writes'
 * commit, a callback's 200 is only a hint (a lost one is made up by the next read), and an
 * order's JSON only reads, woken by committed changes.
 */
function answersWithoutCommit(req: express.Request): boolean {
  if (req.method === 'POST' && req.path === '/pay') return true;
  if ((req.method === 'POST' || req.method === 'PUT') && req.path === '/callback') return true;
  return req.method === 'GET' && ORDER_PATH.test(req.path);
}

const ORDER_PATH = /^\/orders\/[^/]+$/;

/** Calls `commit` just before the answer's head is written. */
function commitBeforeAnswer(commit: () => void): express.RequestHandler {
  return (req, res, next) => {
    if (!answersWithoutCommit(req)) {
      const writeHead = res.writeHead.bind(res);
      res.writeHead = ((...args: Parameters<typeof writeHead>) => {
        commit();
        return writeHead(...args);
      }) as typeof res.writeHead;
    }
    next();
  };
}

export function createApp(deps: AppDeps): express.Express {
  const { config } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Off unless a deployment names its proxy (TRUST_PROXY): otherwise X-Forwarded-For would let
  // anyone choose the client address that logs and rate limits see. Behind ngrok or nginx, the
  // proxy's own address is all there is without it, and every shopper would share one bucket.
  app.set('trust proxy', trustOf(config.trustProxy));
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  // The access log comes first: a developer watching callbacks arrive through a tunnel needs to
  // see them, and the first routers (the callback) answer before the rest of the middleware.
  if (config.accessLog) app.use(morgan(accessLogFormat, deps.accessLogStream ? { stream: deps.accessLogStream } : {}));
  app.use(raiseHotRefusal);
  // Their answers need no commit first either (answersWithoutCommit).
  if (deps.hotRoutes) app.use(deps.hotRoutes);
  for (const router of deps.firstRouters ?? []) app.use(router);
  if (deps.commitWrites) app.use(commitBeforeAnswer(deps.commitWrites));

  app.use(createHelmet(config));
  // With no configured origins the middleware is not mounted at all, so browsers on other
  // origins get no Access-Control-* header and cannot read any answer.
  if (config.corsOrigins.length > 0) app.use(cors({ origin: config.corsOrigins }));

  // The embedded sandbox's control API trusts loopback clients, but a tunnel (ngrok) on this
  // machine connects from loopback too: a request that a proxy forwarded is never local.
  app.use(CONTROL_PATH, (req, _res, next) => {
    const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
    next(forwarded ? new ApiError(403, 'forbidden', 'The sandbox control API answers local clients only') : undefined);
  });
  for (const router of deps.rawRouters ?? []) app.use(router);
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 100 }));
  // Only asset paths go to the disk: the API and the long-polled order pages skip a file lookup.
  const assets = express.static(PUBLIC_DIR, { index: false });
  app.use((req, res, next) => (ASSET_PATH.test(req.path) ? assets(req, res, next) : next()));

  app.use(createCatalogueRouter({ catalogue: deps.catalogue, config }));
  for (const router of deps.routers ?? []) app.use(router);

  app.use(notFound);
  app.use(errorHandler({
    ...(deps.logError ? { log: deps.logError } : {}),
    ...(deps.renderErrorPage ? { html: deps.renderErrorPage } : {}),
  }));
  return app;
}
