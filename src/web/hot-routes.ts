// The hot routes (issue #16): the exchanges every order makes, served ahead of Express's
// middleware stack. A settled order is one POST /pay (JSON), one GET /orders/:id (JSON,
// long-polled with `Prefer: wait`) and two callbacks from MoMo; through the router, the body
// parser, the rate limiter and res.json they cost about a fifth of Sokoni's CPU. This first
// serves the callbacks, half of the exchanges.
//
// Mounted as the app's first handler (after the access log, which must see every request), it
// matches method and path itself and answers with one writeHead/end. It owns a request only
// when it can answer it exactly as the Express routes would; anything else (a compressed body,
// another charset) goes to `next()` untouched, and the routes stay the one implementation of
// those cases. The business logic is the routes' own (callbackNoter); refusals go to the app's
// error handler with `next(error)`, so their shape is the one every route has.
//
// What the hot answers leave out: the ETag res.json would add, hashing every body for a
// callback's bare 200, which no provider revalidates.
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Checkout } from '../checkout';
import type { Config } from '../config';
import type { Logger } from '../log';
import { CALLBACK_RECEIVED, callbackNoter } from './callback-routes';
import { bodyError } from './errors';
import type { RateLimits } from './rate-limits';

/** As the body parsers' limit (app.ts BODY_LIMIT). */
const BODY_LIMIT_BYTES = 16 * 1024;

export interface HotRoutesDeps {
  config: Config;
  checkout: Checkout;
  log: Logger;
  limits: RateLimits;
}

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
  req.on('error', () => done(bodyError('request.aborted'), ''));
  req.on('end', () => {
    if (tooLarge) return done(bodyError('entity.too.large'), '');
    const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
    done(undefined, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  });
}

export function createHotRoutes({ config, checkout, log, limits }: HotRoutesDeps): RequestHandler {
  const noteCallback = callbackNoter({ config, checkout, log });

  /** Writes a JSON answer in one go. */
  function answer(res: Response, status: number, body: unknown): void {
    const json = JSON.stringify(body);
    const headers: string[] = ['Content-Type', 'application/json; charset=utf-8'];
    const length = String(Buffer.byteLength(json));
    // The access log reads Content-Length back with getHeader, which only headers set one by
    // one keep; without the log, writeHead takes them all at once.
    if (config.accessLog) res.setHeader('Content-Length', length);
    else headers.push('Content-Length', length);
    res.writeHead(status, headers);
    res.end(json);
  }

  function callback(req: Request, res: Response, next: NextFunction): void {
    if (plainMediaType(req) === undefined) return next();
    const refusal = limits.callback.take(req, res);
    if (refusal) return next(refusal);
    readBody(req, (error, body) => {
      if (error) return next(error);
      noteCallback({ query: req.query, body })
        .then(() => answer(res, 200, CALLBACK_RECEIVED))
        .catch(next);
    });
  }

  return (req, res, next) => {
    const url = req.url;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/callback' && (req.method === 'POST' || req.method === 'PUT')) return callback(req, res, next);
    next();
  };
}
