// The only place that speaks HTTP. It sends one exchange over an undici Pool of keep-alive
// connections, bounded in number, never throws for an HTTP status (the layers above decide what a
// status means), turns network failures and timeouts into MomoErrors that carry no request (its
// headers hold the Authorization and subscription key), and reports each exchange to the
// onRequest hook.
//
// undici rather than node:http: the four MoMo calls of a settled order cost about 15% of Sokoni's
// CPU with node's client and agent. undici (the Node.js project's client, under fetch) makes no
// ClientRequest, IncomingMessage or agent bookkeeping per exchange, and its dispatch API hands the
// answer over in callbacks without a stream, so an exchange costs about half (figures from
// bench/transport-cpu.ts in the README's client section). fetch on the same undici costs more
// than node:http: its WHATWG Request, Response and streams are what an exchange here must avoid.
import { Pool, type Dispatcher } from 'undici';
import { describeBody, MomoError, type HttpAnswer } from './errors';
import type { MomoProduct, MomoRequestEvent } from './types';

export interface Exchange {
  product: MomoProduct | 'provisioning';
  operation: string;
  method: 'GET' | 'POST';
  /** Path below the base URL, starting with `/`. */
  path: string;
  headers: Record<string, string>;
  body?: unknown;
  referenceId: string | null;
  attempt: number;
}

export interface Transport {
  send(exchange: Exchange): Promise<HttpAnswer>;
  /**
   * Closes the connections once the exchanges under way have ended (each within its deadline);
   * sends after it fail with NETWORK_ERROR. Calling it again waits for the same closing.
   */
  close(): Promise<void>;
}

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Connections open at once to MoMo; further exchanges wait for one to be free. */
  maxSockets: number;
  onRequest?: (event: MomoRequestEvent) => void;
  now: () => number;
}

/** Raised when the exchange's own deadline passes, to tell a timeout from other failures. */
class DeadlineError extends Error {}

function parseBody(raw: string): unknown {
  if (raw.trim() === '') return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function plainHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  // Names come from the remote server, so they are kept off Object.prototype.
  const out = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = value.join(', ');
  }
  return out;
}

function transportError(error: unknown, exchange: Exchange, timeoutMs: number): MomoError {
  const timedOut = error instanceof DeadlineError;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  return new MomoError({
    status: null,
    code: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
    message: timedOut ? `no answer within ${timeoutMs} ms` : `network error: ${code ? `${code} ` : ''}${detail}`,
    operation: exchange.operation,
    referenceId: exchange.referenceId,
    retryable: true,
  });
}

export function createTransport(options: TransportOptions): Transport {
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  // One request per connection at a time (pipelining 1), as node's agent did: an answer MoMo is
  // slow to give never holds up the exchanges queued behind it on the same connection. Idle
  // connections are closed after 4 s (or sooner when the server says so in Keep-Alive), before
  // the 5 s after which Node servers (the sandbox) close them, so a request is rarely written to
  // a connection the far end is closing; when it is, the NETWORK_ERROR is retried with the same
  // reference id like any other. undici's own header and body timeouts are off: the exchange's
  // deadline below covers connecting, the headers and the body at once.
  const pool = new Pool(base.origin, {
    connections: options.maxSockets,
    pipelining: 1,
    keepAliveTimeout: 4_000,
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: { timeout: options.timeoutMs },
  });

  let closing: Promise<void> | null = null;

  const exchangeOnce = (exchange: Exchange): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const body = exchange.body === undefined ? null : JSON.stringify(exchange.body);
      const headers = body === null ? exchange.headers : { ...exchange.headers, 'Content-Type': 'application/json' };
      let settled = false;
      // Known once the request is written to a connection; until then it waits in the pool.
      let controller: Dispatcher.DispatchController | null = null;
      let status = 0;
      let answerHeaders: Record<string, string | string[] | undefined> = {};
      const chunks: Buffer[] = [];
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        reject(error);
      };
      // One deadline for the whole exchange, waiting for a connection and reading the body
      // included. A request still waiting in the pool is dropped when its turn comes, unsent.
      const deadline = setTimeout(() => {
        fail(new DeadlineError());
        controller?.abort(new DeadlineError());
      }, options.timeoutMs);
      pool.dispatch(
        { path: prefix + exchange.path, method: exchange.method, headers, body },
        {
          onRequestStart(started) {
            if (settled) started.abort(new DeadlineError());
            else controller = started;
          },
          onResponseStart(_controller, statusCode, received) {
            status = statusCode;
            answerHeaders = received;
          },
          onResponseData(_controller, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            if (settled) return;
            settled = true;
            clearTimeout(deadline);
            resolve({ status, body: parseBody(Buffer.concat(chunks).toString('utf8')), headers: plainHeaders(answerHeaders) });
          },
          onResponseError(_controller, error) {
            fail(error);
          },
        },
      );
    });

  const report = (exchange: Exchange, startedAt: number, status: number | null, errorCode: string | null): void => {
    if (!options.onRequest) return;
    try {
      options.onRequest({
        product: exchange.product,
        operation: exchange.operation,
        method: exchange.method,
        path: exchange.path,
        referenceId: exchange.referenceId,
        attempt: exchange.attempt,
        startedAt,
        status,
        durationMs: options.now() - startedAt,
        outcome: errorCode === null ? 'ok' : 'error',
        errorCode,
      });
    } catch {
      // A faulty logger must not turn a successful payment call into a failure.
    }
  };

  return {
    async send(exchange) {
      const startedAt = options.now();
      try {
        const answer = await exchangeOnce(exchange);
        if (options.onRequest) {
          const ok = answer.status >= 200 && answer.status < 300;
          report(exchange, startedAt, answer.status, ok ? null : describeBody(answer.status, answer.body).code);
        }
        return answer;
      } catch (error) {
        const failure = transportError(error, exchange, options.timeoutMs);
        report(exchange, startedAt, null, failure.code);
        throw failure;
      }
    },
    // Once: a second close() (a test's cleanup after the server's shutdown) waits for the first.
    close: () => (closing ??= pool.close()),
  };
}
