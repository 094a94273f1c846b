// The security headers every browser-facing answer carries, from one helmet configuration: the
// app mounts helmet itself, and the hot routes (hot-routes.ts) send the same headers, asked of
// helmet once at start-up, without running its middleware chain per request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Config } from '../config';

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  objectSrc: ["'none'"],
};

export function createHelmet(config: Pick<Config, 'publicUrl'>): ReturnType<typeof helmet> {
  // HSTS only when the store's public URL is https: a plain-http store has nothing to pin, and
  // the header would tell browsers to refuse that host over http for a year.
  const https = config.publicUrl?.startsWith('https://') ?? false;
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    strictTransportSecurity: https,
  });
}

/**
 * The headers `createHelmet(config)` sets, as name/value pairs. Its configuration has no
 * per-request part (no CSP nonces), so one run on a recording response is every run.
 */
export function helmetHeaders(config: Pick<Config, 'publicUrl'>): [string, string][] {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: unknown) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
  };
  let done = false;
  createHelmet(config)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('helmet refused its configuration');
    done = true;
  });
  // helmet's middleware runs synchronously; a future version that did not would send nothing.
  if (!done || headers.size === 0) throw new Error('helmet set no headers synchronously; the hot routes cannot copy them');
  return [...headers];
}
