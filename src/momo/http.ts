// The only place that speaks HTTP. It sends one exchange over a keep-alive agent with a bounded
// number of sockets, never throws for an HTTP status (the layers above decide what a status
// means), turns network failures and timeouts into MomoErrors that carry no request (its headers
// hold the Authorization and subscription key), and reports each exchange to the onRequest hook.
//
// Plain node:http rather than axios: measured against the standalone sandbox, axios cost about
// 400 CPU ms per 1000 exchanges and node:http with a keep-alive agent about 120 (figures in the
// README's client section), and the client needs none of what axios adds.
import http from 'node:http';
import https from 'node:https';
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
}

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Sockets open at once to MoMo; further exchanges wait for one to be free. */
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

function plainHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
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
  const secure = base.protocol === 'https:';
  const request = secure ? https.request : http.request;
  // Idle sockets are closed after 4 s, before the 5 s after which Node servers (the sandbox)
  // close them, so a request is rarely written to a socket the far end is closing; when it is,
  // the NETWORK_ERROR is retried with the same reference id like any other.
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' as const, timeout: 4_000 };
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const target = {
    hostname: base.hostname.replace(/^\[|\]$/g, ''),
    port: base.port === '' ? (secure ? 443 : 80) : Number(base.port),
    prefix: base.pathname.replace(/\/+$/, ''),
  };

  const exchangeOnce = (exchange: Exchange): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const body = exchange.body === undefined ? undefined : JSON.stringify(exchange.body);
      const headers: http.OutgoingHttpHeaders =
        body === undefined ? exchange.headers : { ...exchange.headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
      let timedOut = false;
      const fail = (error: Error): void => {
        clearTimeout(deadline);
        reject(timedOut ? new DeadlineError() : error);
      };
      const req = request({ ...target, path: target.prefix + exchange.path, method: exchange.method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(new Error('connection closed before the answer was complete'));
        });
        res.on('end', () => {
          clearTimeout(deadline);
          resolve({ status: res.statusCode ?? 0, body: parseBody(Buffer.concat(chunks).toString('utf8')), headers: plainHeaders(res.headers) });
        });
      });
      // One deadline for the whole exchange, waiting for a socket and reading the body included.
      const deadline = setTimeout(() => {
        timedOut = true;
        req.destroy();
      }, options.timeoutMs);
      req.on('error', fail);
      req.end(body);
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
  };
}
