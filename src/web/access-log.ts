// Access log format: what happened, never who paid or with which secret. Phone numbers in the
// URL are masked, secret-looking query values redacted; headers such as Authorization and
// Cookie are simply not part of the line.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type morgan from 'morgan';
import { maskMsisdn } from './fields';

// A digit run of 8 or more, allowing the separators people type (and forms encode) between
// digits: "256772123456", "256+772+123456", "%2B256%20772-123-456".
const PHONE_LIKE = /\d(?:(?:%20|%2B|%2D|%2E|[+.-])?\d){7,}/gi;
const SECRET_PARAM = /([?&;][^=&;#]*(?:token|secret|key|password|signature|auth)[^=&;#]*=)[^&;#]*/gi;

export function sanitizeUrl(url: string): string {
  return url
    .replace(SECRET_PARAM, '$1[redacted]')
    .replace(PHONE_LIKE, (run) => maskMsisdn(run.replace(/%2[0BDE]|[+.-]/gi, '')));
}

type Tokens = morgan.TokenIndexer<IncomingMessage, ServerResponse>;

export function accessLogFormat(tokens: Tokens, req: IncomingMessage, res: ServerResponse): string {
  const token = (name: string, arg?: string) => tokens[name]?.(req, res, arg) ?? '-';
  const originalUrl = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const referrer = req.headers.referer ?? req.headers.referrer;
  return [
    token('remote-addr'),
    `"${req.method} ${sanitizeUrl(originalUrl)}"`,
    token('status'),
    token('res', 'content-length'),
    `${token('response-time')} ms`,
    `"${typeof referrer === 'string' ? sanitizeUrl(referrer) : '-'}"`,
    `"${token('user-agent')}"`,
  ].join(' ');
}
