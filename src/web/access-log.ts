// Access log format: what happened, never who paid or with which secret. Phone numbers in the
// URL are masked (identifiers are not), secret-looking query values redacted; headers such as
// Authorization and Cookie are simply not part of the line.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type morgan from 'morgan';
import { maskPhones } from '../log';
import { maskMsisdn } from './fields';

const SECRET_PARAM = /([?&;][^=&;#]*(?:token|secret|key|password|signature|auth)[^=&;#]*=)[^&;#]*/gi;

/** Secret-looking query values redacted, phone numbers masked; order ids and references stay whole. */
export function sanitizeUrl(url: string): string {
  return maskPhones(url.replace(SECRET_PARAM, '$1[redacted]'), maskMsisdn);
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
