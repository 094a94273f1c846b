// The only place that touches axios. It sends one HTTP exchange, never throws for an HTTP
// status (the layers above decide what a status means), turns network failures and timeouts
// into MomoErrors without the axios error attached (its config holds the Authorization and
// subscription-key headers), and reports each exchange to the onRequest hook.
import axios, { type AxiosInstance } from 'axios';
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
  onRequest?: (event: MomoRequestEvent) => void;
  now: () => number;
}

function parseBody(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw ?? null;
  if (raw.trim() === '') return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof headers !== 'object' || headers === null) return out;
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
    else if (Array.isArray(value)) out[name.toLowerCase()] = value.join(', ');
    else if (typeof value === 'number') out[name.toLowerCase()] = String(value);
  }
  return out;
}

function transportError(error: unknown, exchange: Exchange, timeoutMs: number): MomoError {
  const code = axios.isAxiosError(error) ? error.code : undefined;
  const timedOut = code === 'ETIMEDOUT' || code === 'ECONNABORTED';
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
  const http: AxiosInstance = axios.create({
    baseURL: options.baseUrl.replace(/\/+$/, ''),
    timeout: options.timeoutMs,
    // Statuses are interpreted above; the body is parsed here so empty and non-JSON bodies
    // (gateway pages) are kept rather than dropped.
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    // A redirect would replay the Authorization header to wherever it points.
    maxRedirects: 0,
    transitional: { clarifyTimeoutError: true },
  });

  const report = (event: MomoRequestEvent): void => {
    if (!options.onRequest) return;
    try {
      options.onRequest(event);
    } catch {
      // A faulty logger must not turn a successful payment call into a failure.
    }
  };

  return {
    async send(exchange) {
      const startedAt = options.now();
      const base = {
        product: exchange.product,
        operation: exchange.operation,
        method: exchange.method,
        path: exchange.path,
        referenceId: exchange.referenceId,
        attempt: exchange.attempt,
        startedAt,
      };
      const headers = { ...exchange.headers };
      if (exchange.body !== undefined) headers['Content-Type'] = 'application/json';
      try {
        const response = await http.request({
          method: exchange.method,
          url: exchange.path,
          headers,
          data: exchange.body === undefined ? undefined : JSON.stringify(exchange.body),
        });
        const answer: HttpAnswer = { status: response.status, body: parseBody(response.data), headers: plainHeaders(response.headers) };
        const ok = answer.status >= 200 && answer.status < 300;
        report({
          ...base,
          status: answer.status,
          durationMs: options.now() - startedAt,
          outcome: ok ? 'ok' : 'error',
          errorCode: ok ? null : describeBody(answer.status, answer.body).code,
        });
        return answer;
      } catch (error) {
        const failure = transportError(error, exchange, options.timeoutMs);
        report({ ...base, status: null, durationMs: options.now() - startedAt, outcome: 'error', errorCode: failure.code });
        throw failure;
      }
    },
  };
}
