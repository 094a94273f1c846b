// Everything one call to one product goes through: circuit, access token, rate limit, the
// exchange itself, one token renewal on 401, and retries with the same reference id.
import { CircuitBreaker } from './circuit';
import { errorFromAnswer, isNoAnswer, isOutage, isOutageAnswer, MomoError, rewrap, type HttpAnswer } from './errors';
import type { Transport } from './http';
import type { RateLimiter } from './rate-limit';
import { withRetries, type RetryPolicy } from './retry';
import type { TokenCache } from './tokens';
import type { CircuitHealth, MomoCallEvent, MomoProduct } from './types';

export interface CallSpec {
  /** e.g. `collection.requestToPay`; reported to onRequest and carried by errors. */
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  /** The transaction this call is about; sent as X-Reference-Id when `create` is set. */
  referenceId: string | null;
  /** A POST that creates a transaction (or API user): sent in the creates lane, not the reads lane. */
  create?: boolean;
  callbackUrl?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Statuses that mean success, e.g. [202] for a creating POST. */
  expect: number[];
  /**
   * The status MoMo gives when this call was already carried out (409 for a reused reference
   * id). After an attempt that may have reached MoMo unanswered, it means that attempt
   * arrived, so the call succeeded; it is never retried.
   */
  alreadyDoneStatus?: number;
}

export interface ChannelDeps {
  transport: Transport;
  /** Status reads and every other call that creates nothing (balances, account holders, ...). */
  reads: RateLimiter;
  /** Creating POSTs and token requests: a shopper or a seller's payout waits on each. */
  creates: RateLimiter;
  retry: RetryPolicy;
  circuitThreshold: number;
  circuitCooldownMs: number;
  now: () => number;
  /** The clock CIRCUIT_OPEN's retryAt and health() are given in. */
  wallClock: () => number;
  onCall?: (event: MomoCallEvent) => void;
}

/** How a channel proves who it is: a product's Bearer token, or only a subscription key. */
export interface ChannelAuth {
  subscriptionKey: string;
  targetEnvironment: string | null;
  tokens: TokenCache | null;
}

/** What the product files need from a channel. */
export interface CallChannel {
  call(spec: CallSpec): Promise<HttpAnswer>;
}

export class Channel implements CallChannel {
  private readonly breaker: CircuitBreaker;

  constructor(
    private readonly name: MomoProduct | 'provisioning',
    private readonly deps: ChannelDeps,
    private readonly auth: ChannelAuth,
  ) {
    this.breaker = new CircuitBreaker(name, { threshold: deps.circuitThreshold, cooldownMs: deps.circuitCooldownMs, now: deps.now, wallClock: deps.wallClock });
  }

  health(): CircuitHealth {
    return this.breaker.health();
  }

  async call(spec: CallSpec): Promise<HttpAnswer> {
    const { onCall } = this.deps;
    if (!onCall) return this.retried(spec);
    const startedAt = this.deps.now();
    const report = (outcome: string, status: number | null): void => {
      try {
        onCall({ product: this.name, operation: spec.operation, outcome, status, durationMs: this.deps.now() - startedAt });
      } catch {
        // A faulty observer must not turn a payment call into a failure.
      }
    };
    try {
      const answer = await this.retried(spec);
      report('ok', answer.status);
      return answer;
    } catch (error) {
      if (error instanceof MomoError) report(error.code, error.status);
      else report('ERROR', null);
      throw error;
    }
  }

  private retried(spec: CallSpec): Promise<HttpAnswer> {
    // Set once an attempt may have reached MoMo without us learning the outcome.
    const fate = { unknown: false };
    const shouldRetry = (error: unknown): boolean =>
      error instanceof MomoError && error.retryable && error.code !== 'CIRCUIT_OPEN' && error.status !== spec.alreadyDoneStatus;
    return withRetries(this.deps.retry, shouldRetry, (attempt) => this.attempt(spec, attempt, fate));
  }

  private async attempt(spec: CallSpec, attempt: number, fate: { unknown: boolean }): Promise<HttpAnswer> {
    const permit = this.breaker.enter(spec.operation, spec.referenceId);
    let outage = false;
    try {
      let token = await this.token(spec, attempt);
      let answer = await this.send(spec, attempt, token, fate);
      if (answer.status === 401 && token !== null) {
        // Expired or revoked early: renew once and send once more; a second 401 stands.
        this.auth.tokens?.invalidate(token);
        token = await this.token(spec, attempt);
        answer = await this.send(spec, attempt, token, fate);
      }
      outage = isOutageAnswer(answer);
      if (spec.expect.includes(answer.status)) return answer;
      if (fate.unknown && answer.status === spec.alreadyDoneStatus) return answer;
      if (answer.status >= 500) fate.unknown = true;
      throw errorFromAnswer(answer, spec.operation, spec.referenceId);
    } catch (error) {
      if (error instanceof MomoError && isOutage(error.status, error.code)) outage = true;
      throw error;
    } finally {
      this.breaker.leave(permit, outage);
    }
  }

  private async token(spec: CallSpec, attempt: number): Promise<string | null> {
    if (!this.auth.tokens) return null;
    try {
      return await this.auth.tokens.get(attempt);
    } catch (error) {
      // The token request is shared by every waiting call; each reports its own operation.
      if (error instanceof MomoError) throw rewrap(error, { operation: spec.operation, referenceId: spec.referenceId });
      throw error;
    }
  }

  private async send(spec: CallSpec, attempt: number, token: string | null, fate: { unknown: boolean }): Promise<HttpAnswer> {
    const headers: Record<string, string> = { 'Ocp-Apim-Subscription-Key': this.auth.subscriptionKey, ...spec.headers };
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    if (this.auth.targetEnvironment !== null) headers['X-Target-Environment'] = this.auth.targetEnvironment;
    if (spec.create && spec.referenceId !== null) headers['X-Reference-Id'] = spec.referenceId;
    if (spec.callbackUrl !== undefined) headers['X-Callback-Url'] = spec.callbackUrl;
    // Two lanes, so a backlog of reads of payments pending for hours never holds up a create
    // that a shopper is waiting on, and creates never eat into MoMo's status-read allowance.
    const release = await (spec.create ? this.deps.creates : this.deps.reads).acquire(this.name);
    try {
      return await this.deps.transport.send({
        product: this.name,
        operation: spec.operation,
        method: spec.method,
        path: spec.path,
        headers,
        ...(spec.body !== undefined ? { body: spec.body } : {}),
        referenceId: spec.referenceId,
        attempt,
      });
    } catch (error) {
      if (isNoAnswer(error)) fate.unknown = true;
      throw error;
    } finally {
      release();
    }
  }
}
