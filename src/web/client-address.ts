// Who sent a request: the socket's peer, or the address a trusted proxy forwarded for it
// (TRUST_PROXY). One rule for both lanes: the app's `req.ip` is computed with this trust, and so
// is the hot routes' address, which are served without Express (hot-routes.ts).
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { TrustProxy } from '../config';

/** Whether the proxy at `address`, `hop` hops from this server, is believed. */
export type Trust = (address: string, hop: number) => boolean;

/** As Express compiles its 'trust proxy' setting: nobody, the first N hops, or these addresses and subnets. */
export function trustOf(setting: TrustProxy): Trust {
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyaddr.compile(setting);
}

export function clientAddress(req: IncomingMessage, trust: Trust): string {
  return proxyaddr(req, trust);
}
