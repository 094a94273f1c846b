// One access token per product, cached and renewed ahead of expiry. However many calls need
// a token at once, only one token request is in flight; the others wait for it. MoMo's
// community guidance is to reuse a token for its hour and never fetch one per transaction.
import { errorFromAnswer, invalidResponse, rewrap, type HttpAnswer } from './errors';
import type { Transport } from './http';
import type { RateLimiter } from './rate-limit';
import type { MomoProduct, ProductCredentials } from './types';

interface Token {
  value: string;
  renewAt: number;
}

/** Lifetime assumed when the answer omits expires_in: MoMo documents one hour. */
const DEFAULT_LIFETIME_S = 3600;

/** Renew this long before expiry: five minutes, or a quarter of short lifetimes. */
function renewalMarginMs(lifetimeMs: number): number {
  return Math.min(5 * 60_000, lifetimeMs / 4);
}

export class TokenCache {
  private current: Token | null = null;
  private inflight: Promise<Token> | null = null;

  constructor(
    private readonly product: MomoProduct,
    private readonly credentials: ProductCredentials,
    private readonly transport: Transport,
    /** The creates lane: every call waits on a token, and a create must not wait behind reads. */
    private readonly limiter: RateLimiter,
    private readonly clock: () => number,
  ) {}

  async get(attempt: number): Promise<string> {
    if (this.current && this.clock() < this.current.renewAt) return this.current.value;
    if (!this.inflight) {
      this.inflight = this.fetch(attempt).finally(() => {
        this.inflight = null;
      });
    }
    return (await this.inflight).value;
  }

  /**
   * Forgets `value` after MoMo refused it. A token that was already replaced is left alone,
   * so many calls refused with the same stale token cause one renewal, not one each.
   */
  invalidate(value: string): void {
    if (this.current?.value === value) this.current = null;
  }

  private async fetch(attempt: number): Promise<Token> {
    const operation = `${this.product}.token`;
    const basic = Buffer.from(`${this.credentials.apiUser}:${this.credentials.apiKey}`).toString('base64');
    const release = await this.limiter.acquire(this.product);
    const requestedAt = this.clock();
    let answer: HttpAnswer;
    try {
      answer = await this.transport.send({
        product: this.product,
        operation,
        method: 'POST',
        // The trailing slash is part of MoMo's path.
        path: `/${this.product}/token/`,
        headers: { Authorization: `Basic ${basic}`, 'Ocp-Apim-Subscription-Key': this.credentials.subscriptionKey },
        referenceId: null,
        attempt,
      });
    } finally {
      release();
    }
    if (answer.status !== 200) {
      const refused = errorFromAnswer(answer, operation, null);
      throw rewrap(refused, { message: `access token refused: ${refused.message}` });
    }
    const body = answer.body as { access_token?: unknown; expires_in?: unknown } | null;
    const value = body?.access_token;
    if (typeof value !== 'string' || value === '') throw invalidResponse(answer, operation, null, 'token answer without access_token');
    const seconds = Number(body?.expires_in);
    const lifetimeMs = (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_LIFETIME_S) * 1000;
    // Counted from when the request left, so the token is never trusted past MoMo's expiry.
    const token = { value, renewAt: requestedAt + lifetimeMs - renewalMarginMs(lifetimeMs) };
    this.current = token;
    return token;
  }
}
