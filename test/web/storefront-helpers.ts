// Driving the storefront like a browser does, without one: pages with their CSRF token and
// cookie, form posts, and the order's event stream read raw.
import http from 'node:http';
import { join } from 'node:path';
import supertest from 'supertest';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { startSokoni, type Sokoni } from '../../src/server';
import { quickWorker, tempDir } from '../checkout/helpers';

export interface Shop {
  sokoni: Sokoni;
  http: ReturnType<typeof supertest>;
  control: NonNullable<Sokoni['sandbox']>['control'];
  logLines: string[];
  count(table: string): number;
  close(): Promise<void>;
}

/** The real store on a temp database, its access log captured. */
export async function startShop(env: Record<string, string> = {}): Promise<Shop> {
  const temp = tempDir();
  const config = loadConfig({ PORT: '0', DATABASE_PATH: join(temp.dir, 'sokoni.db'), SANDBOX_APPROVAL: 'instant', ...quickWorker, ...env });
  const logLines: string[] = [];
  const sokoni = await startSokoni(config, { log: silentLogger, accessLogStream: { write: (line) => logLines.push(line) > 0 } });
  return {
    sokoni,
    http: supertest(sokoni.url),
    control: sokoni.sandbox!.control,
    logLines,
    count: (table) => (sokoni.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
    async close() {
      await sokoni.close();
      temp.remove();
    },
  };
}

export interface FormSession {
  cookie: string[];
  token: string;
  html: string;
}

export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field ${name} in the page`);
  return match[1]!;
}

/** Opens a page holding a form, as a browser would: its CSRF token and the cookie that goes with it. */
export async function openForm(shop: Pick<Shop, 'http'>, path: string): Promise<FormSession> {
  const page = await shop.http.get(path).set('accept', 'text/html').expect(200);
  return { cookie: page.headers['set-cookie'] as unknown as string[], token: hiddenField(page.text, '_csrf'), html: page.text };
}

/** A browser's form post with the session's cookie. */
export function postForm(shop: Pick<Shop, 'http'>, path: string, session: Pick<FormSession, 'cookie'> | null, fields: Record<string, string>) {
  const req = shop.http.post(path).type('form').set('accept', 'text/html,application/xhtml+xml');
  if (session) req.set('Cookie', session.cookie);
  return req.send(fields);
}

export interface EventStream {
  status: number;
  contentType: string;
  events: Record<string, unknown>[];
  /** True when the server ended the stream by itself. */
  ended: boolean;
}

/** Reads `url` as Server-Sent Events until the server ends it or `untilMs` passes. */
export function readEvents(url: string, untilMs: number, onEvent?: (event: Record<string, unknown>) => void): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream' } }, (res) => {
      const result: EventStream = { status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), events: [], ended: false };
      let buffer = '';
      const timer = setTimeout(() => {
        req.destroy();
        resolve(result);
      }, untilMs);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (data) {
            const event = JSON.parse(data) as Record<string, unknown>;
            result.events.push(event);
            onEvent?.(event);
          }
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        result.ended = true;
        resolve(result);
      });
    });
    req.on('error', reject);
  });
}

/** No inline script or style anywhere: the CSP would block them, so they must not exist. */
export function inlineCode(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>/gi)) if (!/\bsrc=/.test(m[1]!)) found.push(m[0]);
  for (const m of html.matchAll(/<style\b[^>]*>|\sstyle="[^"]*"|\son[a-z]+="[^"]*"/gi)) found.push(m[0]);
  return found;
}
