// Content negotiation and RFC 7240's `Prefer: wait=N`, shared by /pay and /orders/:id.
import type { IncomingMessage } from 'node:http';
import accepts from 'accepts';
import typeis from 'type-is';

const maxWaitS = 60;

/** `Prefer: wait=N`: how long the client is willing to wait for a final answer. */
export function preferredWaitMs(req: IncomingMessage): number {
  const prefer = req.headers.prefer;
  const match = /(?:^|[,;\s])wait=(\d+)/.exec(Array.isArray(prefer) ? prefer.join(',') : prefer ?? '');
  return match ? Math.min(Number(match[1]), maxWaitS) * 1000 : 0;
}

/**
 * A plain request as well as an Express one (whose `accepts` and `is` are these same packages),
 * so the hot routes, served without Express, decide as the app does.
 */
export function wantsJson(req: IncomingMessage): boolean {
  return accepts(req).types(['html', 'json']) === 'json' || typeis(req, ['application/json']) === 'application/json';
}
