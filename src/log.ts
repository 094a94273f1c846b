// One-line JSON logs on stdout. Phone numbers are masked and anything that looks like a
// credential is dropped before a line is written, so callers cannot leak them by accident.
import { isIPv4 } from 'node:net';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

const secretKey = /token|secret|password|apikey|api_key|authorization|pin/i;
// Digits with the separators people type between them, also as forms encode them (%2B, %20).
const DIGIT_RUN = /\d(?:(?:%20|%2B|%2D|%2E|[+.-])?\d)*/gi;
const SEPARATOR = /%2[0BDE]|[+.-]/gi;
const WORD = /[A-Za-z0-9_]/;

/** Not glued to a word: a run inside a UUID or a token ("…-8901-147258369114") is an identifier. */
function standsAlone(text: string, start: number, end: number): boolean {
  const before = text.slice(0, start);
  const beforeOk =
    /%[0-9a-f]{2}$/i.test(before) || // an encoded space or '=' in a query string
    !(WORD.test(before.at(-1) ?? '') || (/[.-]$/.test(before) && WORD.test(before.at(-2) ?? '')));
  const after = text.slice(end);
  const afterOk = !(WORD.test(after[0] ?? '') || (/^[.-]/.test(after) && WORD.test(after[1] ?? '')));
  return beforeOk && afterOk;
}

// Digit runs of a phone's length that are something else: a number with one decimal point (a
// duration such as 9750.666047), a date, an IPv4 address.
const NOT_PHONES: ((run: string) => boolean)[] = [
  (run) => /^\d+(?:\.|%2E)\d+$/i.test(run),
  (run) => /^\d{4}-\d{2}-\d{2}$/.test(run),
  (run) => isIPv4(run),
];

const middleStars = (digits: string) => {
  const keep = digits.length >= 10 ? 3 : 2;
  return `${digits.slice(0, keep)}****${digits.slice(-keep)}`;
};

/**
 * Masks phone numbers, and only them: a run of 8–15 digits (a plausible MSISDN, typed with or
 * without +, spaces, dashes or dots) standing on its own. Identifiers stay whole: a UUID's
 * digit groups, a digit run glued to letters, a decimal number, a date, an IP address.
 */
export function maskPhones(text: string, mask: (digits: string) => string = middleStars): string {
  return text.replace(DIGIT_RUN, (run: string, offset: number) => {
    const digits = run.replace(SEPARATOR, '');
    if (digits.length < 8 || digits.length > 15 || NOT_PHONES.some((other) => other(run)) || !standsAlone(text, offset, offset + run.length)) return run;
    return mask(digits);
  });
}

function clean(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (secretKey.test(key)) continue;
    if (value instanceof Error) out[key] = maskPhones(value.message);
    else if (typeof value === 'string') out[key] = maskPhones(value);
    else out[key] = value;
  }
  return out;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: { level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const min = order[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (level: LogLevel) => (event: string, fields: Record<string, unknown> = {}) => {
    if (order[level] < min) return;
    write(JSON.stringify({ at: new Date().toISOString(), level, event, ...clean(fields) }));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
