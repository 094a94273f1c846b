// One-line JSON logs on stdout. Phone numbers are masked and anything that looks like a
// credential is dropped before a line is written, so callers cannot leak them by accident.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

const secretKey = /token|secret|password|apikey|api_key|authorization|pin/i;
const phoneRun = /\b(\d{3})\d{3,9}(\d{3})\b/g;

export function maskPhones(text: string): string {
  return text.replace(phoneRun, (_, head: string, tail: string) => `${head}****${tail}`);
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
