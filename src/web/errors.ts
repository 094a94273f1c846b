// One error shape for the whole API: {error: {code, message, field?}}. Bad input is always a
// 4xx; only our own faults are 5xx, and those never show their details to the client.
import type { IncomingMessage } from 'node:http';
import accepts from 'accepts';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { DomainError, isBusyError, type DomainErrorKind } from '../domain-error';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Sent as Retry-After: when a retry is worth it. */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }

  toJSON(): { error: { code: string; message: string; field?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

// body-parser (and raw-body under it) tag their errors with a `type`; each is the client's fault.
const BODY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.parse.failed': { status: 400, code: 'invalid_json', message: 'The request body is not valid JSON' },
  'entity.too.large': { status: 413, code: 'payload_too_large', message: 'The request body is too large' },
  'entity.verify.failed': { status: 403, code: 'invalid_body', message: 'The request body was refused' },
  'charset.unsupported': { status: 415, code: 'unsupported_charset', message: 'Send the body as UTF-8' },
  'encoding.unsupported': { status: 415, code: 'unsupported_encoding', message: 'Unsupported Content-Encoding' },
  'parameters.too.many': { status: 413, code: 'too_many_parameters', message: 'Too many form fields' },
  'request.aborted': { status: 400, code: 'request_aborted', message: 'The request was aborted' },
  'request.size.invalid': { status: 400, code: 'invalid_body', message: 'The body length does not match Content-Length' },
};

/** A body refusal of the kind body-parser reports, for routes that read their own bodies (hot-routes.ts). */
export function bodyError(type: 'entity.parse.failed' | 'entity.too.large' | 'request.aborted'): ApiError {
  const known = BODY_ERRORS[type]!;
  return new ApiError(known.status, known.code, known.message);
}

// For 4xx errors raised by middleware (CSRF, routing) that carry only a status.
const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

// The one place where a domain refusal becomes an HTTP status.
const KIND_STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  refused: 422,
  forbidden: 403,
  busy: 503,
  unavailable: 502,
};

/** A busy database frees up within its busy_timeout; a second is a fair wait. */
const BUSY_RETRY_AFTER_S = 1;

/** Turns anything thrown into the ApiError the client will see. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  // Another process held SQLite's write lock past the short busy timeout (db/connection.ts):
  // nothing was written, and the same request works shortly. That is the domain's `busy`.
  const domain = isBusyError(error) && !(error instanceof DomainError)
    ? new DomainError('busy', 'busy', 'The shop is busy for a moment and nothing was saved. Try again in a few seconds.')
    : error;
  if (domain instanceof DomainError) {
    const retryAfter = domain.kind === 'busy' ? BUSY_RETRY_AFTER_S : undefined;
    return new ApiError(KIND_STATUS[domain.kind], domain.code, domain.message, domain.field, retryAfter);
  }
  const fields = (typeof error === 'object' && error !== null ? error : {}) as { type?: unknown; status?: unknown; expose?: unknown; message?: unknown };
  const known = typeof fields.type === 'string' ? BODY_ERRORS[fields.type] : undefined;
  if (known) return new ApiError(known.status, known.code, known.message);
  // Other http-errors from Express itself (e.g. a malformed %-escape in a path) carry a 4xx
  // status and say whether their message is safe to show.
  const status = typeof fields.status === 'number' ? fields.status : 0;
  if (status >= 400 && status < 500) {
    const message = fields.expose === true && typeof fields.message === 'string' ? fields.message : 'The request was refused';
    return new ApiError(status, STATUS_CODES[status] ?? 'client_error', message);
  }
  return new ApiError(500, 'internal_error', 'Something went wrong on our side. Please try again.');
}

/**
 * Renders an error as a page for browsers; the storefront may pass its own. It must answer, or
 * call `fallback` (which answers JSON) when it cannot render.
 */
export type HtmlErrorRenderer = (error: ApiError, req: Request, res: Response, fallback: (renderError: unknown) => void) => void;

export interface ErrorHandlerOptions {
  /** Where unexpected (5xx) errors are reported; defaults to console.error. */
  log?: (error: unknown, req: Request) => void;
  html?: HtmlErrorRenderer;
}

export const renderErrorView: HtmlErrorRenderer = (error, _req, res, fallback) => {
  // With a callback, a failing template comes back here instead of re-entering Express.
  res.render('error', { status: error.status, code: error.code, message: error.message }, (renderError, page) => {
    if (renderError) fallback(renderError);
    else res.type('html').send(page);
  });
};

/**
 * Whether the error handler answers `req` with a page rather than JSON. A plain request as well
 * as an Express one, for the hot routes (hot-routes.ts); `accepts` is what Express's is.
 */
export function wantsHtml(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  if (path.startsWith('/api/') || path === '/api') return false;
  return accepts(req).types(['json', 'html']) === 'html';
}

export function errorHandler(options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  const log = options.log ?? ((error: unknown, req: Request) => console.error(`${req.method} ${req.path} failed:`, error));
  const html = options.html ?? renderErrorView;
  return (error, req, res, next) => {
    const apiError = toApiError(error);
    // Only faults we did not choose are errors; a deliberate 5xx answer (admin routes disabled,
    // a busy database, MoMo not answering) is not something to page anyone about.
    const deliberate = error instanceof ApiError || error instanceof DomainError;
    if (apiError.status >= 500 && !deliberate) log(error, req);
    if (res.headersSent) {
      next(error);
      return;
    }
    res.status(apiError.status);
    if (apiError.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    if (apiError.retryAfterS !== undefined) res.setHeader('Retry-After', String(apiError.retryAfterS));
    const answerJson = () => {
      res.json(apiError.toJSON());
    };
    if (!wantsHtml(req)) {
      answerJson();
      return;
    }
    const fallback = (renderError: unknown) => {
      log(renderError, req);
      if (!res.headersSent) answerJson();
    };
    try {
      html(apiError, req, res, fallback);
    } catch (renderError) {
      fallback(renderError);
    }
  };
}

/** Last route: an unknown path is an ApiError 404 like any other, JSON for /api, a page for browsers. */
export const notFound: RequestHandler = (_req, _res, next) => {
  next(new ApiError(404, 'not_found', 'Nothing here'));
};
