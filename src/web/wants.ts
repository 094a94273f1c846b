// Content negotiation and RFC 7240's `Prefer: wait=N`, shared by /pay and /orders/:id.
import type { Request } from 'express';

const maxWaitS = 60;

/** `Prefer: wait=N`: how long the client is willing to wait for a final answer. */
export function preferredWaitMs(req: Request): number {
  const match = /(?:^|[,;\s])wait=(\d+)/.exec(req.get('prefer') ?? '');
  return match ? Math.min(Number(match[1]), maxWaitS) * 1000 : 0;
}

export function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json' || req.is('application/json') === 'application/json';
}
