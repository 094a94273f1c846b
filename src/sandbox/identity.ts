// API users, API keys and access tokens. Tokens are self-verifying (HMAC with a per-instance
// secret) so issuing thousands costs no memory; a token from another sandbox, a forged one, one
// issued for another product or one past its expiry by the sandbox clock is refused.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock';
import type { Product } from './products';
import type { SandboxStore } from './store';

export interface ApiUser {
  id: string;
  providerCallbackHost: string;
  /** Every key issued stays valid: MTN does not say a new key revokes the old one (§2.4). */
  keys: Set<string>;
}

export const TOKEN_LIFETIME_S = 3600;

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');
// The header MTN's tokens carry, typo included (§3.1).
const TOKEN_HEADER = b64url(JSON.stringify({ typ: 'JWT', alg: 'R256' }));

export type TokenCheck = { apiUser: ApiUser } | { problem: 'missing' | 'invalid' | 'expired' };

export class Identity {
  private readonly users = new Map<string, ApiUser>();
  /** Kept in the store, so tokens issued before a restart stay valid until they expire, as MTN's do. */
  private readonly secret: Buffer;

  constructor(
    private readonly clock: Clock,
    private readonly store: SandboxStore,
  ) {
    for (const user of store.users()) this.users.set(user.id, { id: user.id, providerCallbackHost: user.providerCallbackHost, keys: new Set(user.keys) });
    const stored = store.meta('token_secret');
    this.secret = stored ? Buffer.from(stored, 'hex') : randomBytes(32);
    if (!stored) store.setMeta('token_secret', this.secret.toString('hex'));
  }

  has(id: string): boolean {
    return this.users.has(id);
  }

  get(id: string): ApiUser | undefined {
    return this.users.get(id);
  }

  createUser(id: string, providerCallbackHost: string): void {
    this.store.addUser(id, providerCallbackHost);
    this.users.set(id, { id, providerCallbackHost, keys: new Set() });
  }

  createKey(user: ApiUser): string {
    const key = randomBytes(16).toString('hex');
    this.store.addKey(user.id, key);
    user.keys.add(key);
    return key;
  }

  /** Checks an `Authorization: Basic` header; null on any failure, as MoMo gives one answer for all. */
  login(authorization: string | undefined): ApiUser | null {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
    if (!match) return null;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const cut = decoded.indexOf(':');
    if (cut < 0) return null;
    const user = this.users.get(decoded.slice(0, cut));
    return user && user.keys.has(decoded.slice(cut + 1)) ? user : null;
  }

  /**
   * A token for one product. MTN's payload (clientId, an ISO time without zone, a session id,
   * §3.1) does not name the product, so the product goes into the signature instead: the token
   * looks like MTN's and still works only where it was issued.
   */
  issueToken(user: ApiUser, product: Product): string {
    const expires = new Date(this.clock.now() + TOKEN_LIFETIME_S * 1000).toISOString().replace('Z', '');
    const payload = b64url(JSON.stringify({ clientId: user.id, expires, sessionId: randomUUID() }));
    return `${TOKEN_HEADER}.${payload}.${this.sign(product, payload)}`;
  }

  /**
   * Checks a bearer token on one of `product`'s endpoints. A token from another product's /token
   * is refused as an invalid one, as MTN refuses it: each product has its own subscription and
   * credentials (§2.1). (One notebook hints that MTN's sandbox once let a Collections token
   * through on Disbursements; nothing may rely on that, so the sandbox is strict.)
   */
  checkBearer(authorization: string | undefined, product: Product): TokenCheck {
    if (!authorization) return { problem: 'missing' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const parts = match ? match[1]!.split('.') : [];
    if (parts.length !== 3) return { problem: 'invalid' };
    const [, payload, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(product, payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'invalid' };
    let claims: { clientId?: unknown; expires?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return { problem: 'invalid' };
    }
    const user = typeof claims.clientId === 'string' ? this.users.get(claims.clientId) : undefined;
    if (!user) return { problem: 'invalid' };
    if (Date.parse(`${String(claims.expires)}Z`) <= this.clock.now()) return { problem: 'expired' };
    return { apiUser: user };
  }

  private sign(product: Product, payload: string): string {
    return createHmac('sha256', this.secret).update(`${product}.${payload}`).digest('base64url');
  }

  clear(): void {
    this.users.clear();
  }

  list(): { id: string; providerCallbackHost: string; keys: number }[] {
    return [...this.users.values()].map((u) => ({ id: u.id, providerCallbackHost: u.providerCallbackHost, keys: u.keys.size }));
  }
}
