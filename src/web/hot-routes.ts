// The hot routes (issue #16): the three exchanges every order makes, served without Express. A
// settled order is one POST /pay (JSON), one GET /orders/:id (JSON, long-polled with `Prefer:
// wait`) and two callbacks from MoMo; through the router, helmet, the body parsers, the rate
// limiter and res.json they cost about a fifth of Sokoni's CPU.
//
// Ahead of the app (`hotRoutesAhead`), they see the request before Express does: Express gives
// every request it handles its own prototypes, and that alone made node's HTTP code that reads
// them afterwards slower. They match method and path themselves and answer with one
// writeHead/end, the security headers computed once at start-up. They own a request only when
// they can answer it exactly as the Express routes would; anything else (a form post, an HTML
// Accept, an Origin when CORS is on, a compressed body or another charset, a path Express would
// match only loosely) goes to the app untouched, and the routes stay the one implementation of
// those cases. The business logic is the routes' own (createPayment, orderJsonAnswer,
// callbackNoter); a refusal goes to the app's error handler (`raiseHotRefusal`), so its shape is
// the one every route has. With the access log on they are mounted inside the app instead,
// after the log, which must see every request.
//
// What the hot answers leave out: the ETag res.json would add. /pay's is on a POST, which is
// never revalidated, and an order's JSON is long-polled for its next change, which a 304 for
// the unchanged one would only delay; computing it hashed every body.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { RequestHandler } from 'express';
import type { Checkout } from '../checkout';
import type { Config } from '../config';
import type { Logger } from '../log';
import { CALLBACK_RECEIVED, callbackNoter } from './callback-routes';
import { clientAddress, type Trust } from './client-address';
import { bodyError, wantsHtml } from './errors';
import { orderJsonAnswer, type OrderRouteDeps } from './order-routes';
import { createPayment } from './pay-routes';
import type { RateLimiter, RateLimits } from './rate-limits';
import { helmetHeaders } from './security-headers';
import { preferredWaitMs, wantsJson } from './wants';

/** As the body parsers' limit (app.ts BODY_LIMIT). */
const BODY_LIMIT_BYTES = 16 * 1024;

const ORDER_PATH = /^\/orders\/([0-9A-Za-z-]+)$/;

export interface HotRoutesDeps {
  config: Config;
  checkout: Checkout;
  log: Logger;
  limits: RateLimits;
  refunds?: OrderRouteDeps['refunds'];
  /** Which forwarding proxies to believe for the client's address (the app's, client-address.ts). */
  trust: Trust;
}

/** Passes a request on: to the app, or to its error handler with the refusal. */
type Next = (error?: unknown) => void;

/** The hot routes as one handler: it answers, or calls `next` (a refusal, or not one of its requests). */
export type HotRoutes = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/**
 * The media type of a body we can read as the body parsers would: no Content-Encoding to
 * inflate and UTF-8 or no charset. undefined when the Express lane must read it; '' when there
 * is no Content-Type.
 */
function plainMediaType(req: IncomingMessage): string | undefined {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return undefined;
  const contentType = req.headers['content-type'];
  if (contentType === undefined) return '';
  const [type = '', ...params] = contentType.split(';');
  for (const param of params) {
    if (!/^\s*charset\s*=\s*"?utf-8"?\s*$/i.test(param)) return undefined;
  }
  return type.trim().toLowerCase();
}

/**
 * The body as UTF-8 text (a byte-order mark dropped, as the body parsers' decoder does), or
 * the body parsers' 413 past the limit, read to its end first as they do.
 */
function readBody(req: IncomingMessage, done: (error: Error | undefined, text: string) => void): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  let tooLarge = declared > BODY_LIMIT_BYTES;
  let size = 0;
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  });
  // An aborted request may report an error after its data; only the first outcome counts.
  let settled = false;
  req.on('error', () => {
    if (!settled) done(bodyError('request.aborted'), '');
    settled = true;
  });
  req.on('end', () => {
    if (settled) return;
    settled = true;
    if (tooLarge) return done(bodyError('entity.too.large'), '');
    const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
    done(undefined, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  });
}

/** A JSON body as express.json() reads it: empty is {}, and only an object or array is JSON here (its strict mode). */
function parseJsonBody(text: string): unknown {
  if (text.length === 0) return {};
  const first = /^[ \t\n\r]*([^ \t\n\r])/.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw bodyError('entity.parse.failed');
  try {
    return JSON.parse(text);
  } catch {
    throw bodyError('entity.parse.failed');
  }
}

export function createHotRoutes({ config, checkout, log, limits, refunds, trust }: HotRoutesDeps): HotRoutes {
  const noteCallback = callbackNoter({ config, checkout, log });
  const payment = createPayment({ config, checkout });
  const orderAnswer = orderJsonAnswer({ checkout, ...(refunds ? { refunds } : {}) });
  const corsOn = config.corsOrigins.length > 0;

  // What every browser-facing answer carries through the app's middleware: helmet's headers,
  // and cors's Vary when CORS is on (it names the Origin it would allow; without one, only that).
  const security = helmetHeaders(config);
  if (corsOn) security.push(['Vary', 'Origin']);
  const securityFlat = security.flat();

  /** Writes a JSON answer in one go. `secure`: with the security headers (not for callbacks, which answer servers). */
  function answer(res: ServerResponse, status: number, body: unknown, secure: boolean, location?: string): void {
    const json = JSON.stringify(body);
    const headers: string[] = secure ? [...securityFlat] : [];
    if (location !== undefined) headers.push('Location', location);
    headers.push('Content-Type', 'application/json; charset=utf-8');
    const length = String(Buffer.byteLength(json));
    // The access log reads Content-Length back with getHeader, which only headers set one by
    // one keep; without the log, writeHead takes them all at once.
    if (config.accessLog) res.setHeader('Content-Length', length);
    else headers.push('Content-Length', length);
    res.writeHead(status, headers);
    res.end(json);
  }

  /** A refusal, in the app's error handler's shape; `secure` as for `answer`. */
  function refuse(res: ServerResponse, next: Next, error: unknown, secure: boolean): void {
    if (secure && !res.headersSent) for (const [name, value] of security) res.setHeader(name, value);
    next(error);
  }

  /** Counts the request against `limiter`; false (and the 429 sent on) when it is over. */
  function allowed(limiter: RateLimiter, req: IncomingMessage, res: ServerResponse, next: Next, secure: boolean): boolean {
    const refusal = limiter.take(clientAddress(req, trust), res);
    if (refusal) refuse(res, next, refusal, secure);
    return refusal === undefined;
  }

  function callback(req: IncomingMessage, res: ServerResponse, next: Next, query: string): void {
    if (plainMediaType(req) === undefined) return next();
    if (!allowed(limits.callback, req, res, next, false)) return;
    readBody(req, (error, body) => {
      if (error) return refuse(res, next, error, false);
      noteCallback({ query: parseQuery(query), body })
        .then(() => answer(res, 200, CALLBACK_RECEIVED, false))
        .catch((caught: unknown) => refuse(res, next, caught, false));
    });
  }

  function pay(req: IncomingMessage, res: ServerResponse, next: Next): void {
    if (!allowed(limits.pay, req, res, next, true)) return;
    readBody(req, (error, text) => {
      if (error) return refuse(res, next, error, true);
      let sent: Record<string, unknown>;
      try {
        sent = (parseJsonBody(text) ?? {}) as Record<string, unknown>;
      } catch (caught) {
        return refuse(res, next, caught, true);
      }
      const header = req.headers['idempotency-key'];
      payment.place({ sent, idempotencyKeyHeader: Array.isArray(header) ? header[0] : header, fromForm: false })
        .then(async (placed) => {
          const { status, body } = await payment.jsonAnswer(placed.snapshot, preferredWaitMs(req));
          answer(res, status, body, true, `/orders/${placed.snapshot.order.id}`);
        })
        .catch((caught: unknown) => refuse(res, next, caught, true));
    });
  }

  function order(req: IncomingMessage, res: ServerResponse, next: Next, id: string): void {
    orderAnswer(id, preferredWaitMs(req))
      .then((body) => answer(res, 200, body, true))
      .catch((caught: unknown) => refuse(res, next, caught, true));
  }

  return (req, res, next) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method;
    // As Express's query parser ('simple': node's querystring), so a callback reads its token alike.
    if (path === '/callback' && (method === 'POST' || method === 'PUT')) return callback(req, res, next, q < 0 ? '' : url.slice(q + 1));
    // A browser on another origin gets cors's answer from the Express lane.
    if (corsOn && req.headers.origin !== undefined) return next();
    if (path === '/pay' && method === 'POST') {
      // Only JSON is exempt from the CSRF check: a form or text/plain post goes the long way,
      // and so does a client whose refusals would be rendered as a page.
      if (plainMediaType(req) !== 'application/json' || wantsHtml(req)) return next();
      return pay(req, res, next);
    }
    if (method === 'GET') {
      const id = ORDER_PATH.exec(path)?.[1];
      if (id !== undefined && wantsJson(req) && !wantsHtml(req)) return order(req, res, next, id);
    }
    next();
  };
}

/** A refusal the hot routes made ahead of the app, for `raiseHotRefusal` to hand to its error handler. */
const refusals = new WeakMap<IncomingMessage, unknown>();

/**
 * The server's listener: the hot routes first, then the app, for what they pass on. A refusal
 * reaches the app marked, and its first middleware raises it (`raiseHotRefusal`).
 */
export function hotRoutesAhead(hot: HotRoutes, app: RequestListener): RequestListener {
  return (req, res) => {
    hot(req, res, (error) => {
      if (error !== undefined) refusals.set(req, error);
      app(req, res);
    });
  };
}

/** The app's first middleware: a refusal the hot routes made goes straight to the error handler. */
export const raiseHotRefusal: RequestHandler = (req, _res, next) => {
  const refusal = refusals.get(req);
  if (refusal === undefined) return next();
  refusals.delete(req);
  next(refusal);
};
