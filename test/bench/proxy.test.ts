// The bench's round-robin proxy (bench/proxy.ts), in front of real HTTP servers on real ports:
// turns, skipping an instance that is down, streaming answers through, and never sending a
// request twice once it reached an instance.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/ports';
import { startProxy, type Proxy } from '../../bench/proxy';

interface Upstream {
  url: string;
  /** What each request it got looked like. */
  seen: { method: string; url: string; body: string; host: string | undefined; forwardedFor: string | undefined }[];
  close(): Promise<void>;
}

async function upstream(name: string, handle?: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, host: req.headers.host, forwardedFor: req.headers['x-forwarded-for'] as string | undefined });
      if (handle) handle(req, res);
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function request(url: string, method = 'GET', body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((thing) => thing.close()));
});

async function proxyFor(upstreams: string[]): Promise<Proxy> {
  const proxy = await startProxy({ upstreams });
  opened.push(proxy);
  return proxy;
}

describe('the round-robin proxy', () => {
  it('gives the instances turns and passes method, path, body and Host through, saying who the client was', async () => {
    const a = await upstream('a');
    const b = await upstream('b');
    opened.push(a, b);
    const proxy = await proxyFor([a.url, b.url]);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await request(`${proxy.url}/pay?i=${i}`, 'POST', `{"i":${i}}`));
    expect(answers.map((answer) => answer.text)).toEqual(['a', 'b', 'a', 'b']);
    expect(a.seen.map((r) => r.url)).toEqual(['/pay?i=0', '/pay?i=2']);
    expect(b.seen[0]).toEqual({ method: 'POST', url: '/pay?i=1', body: '{"i":1}', host: new URL(proxy.url).host, forwardedFor: '127.0.0.1' });
    expect([...proxy.answered.values()]).toEqual([2, 2]);
  });

  it('skips an instance that refuses connections, so every request is answered by one that is up', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const up = await upstream('up');
    opened.push(up);
    const proxy = await proxyFor([down, up.url]);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => request(`${proxy.url}/orders/${i}`)));
    expect(answers.map((answer) => `${answer.status} ${answer.text}`)).toEqual(Array(6).fill('200 up'));
    expect(up.seen).toHaveLength(6);
  });

  it('answers 502 when no instance is up', async () => {
    const proxy = await proxyFor([`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`]);
    expect((await request(proxy.url)).status).toBe(502);
  });

  it('answers 502 and sends nowhere else when the instance the request reached breaks off', async () => {
    const dying = await upstream('dying', (req) => req.socket.destroy());
    const other = await upstream('other');
    opened.push(dying, other);
    const proxy = await proxyFor([dying.url, other.url]);
    expect((await request(`${proxy.url}/pay`, 'POST', '{"idempotencyKey":"k"}')).status).toBe(502);
    expect(dying.seen).toHaveLength(1);
    expect(other.seen).toHaveLength(0);
  });

  it('streams an answer as it comes (SSE), and ends the upstream request when the client goes away', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const events = await upstream('events', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      res.on('close', upstreamClosed);
    });
    opened.push(events);
    const proxy = await proxyFor([events.url]);
    const first = await new Promise<{ type: string | undefined; chunk: string; req: http.ClientRequest }>((resolve, reject) => {
      const req = http.get(`${proxy.url}/orders/1/events`, { agent: false }, (res) => {
        res.setEncoding('utf8');
        res.once('data', (chunk: string) => resolve({ type: res.headers['content-type'], chunk, req }));
      });
      req.on('error', reject);
    });
    expect(first.type).toBe('text/event-stream');
    expect(first.chunk).toBe('data: first\n\n');
    first.req.destroy();
    // The stream never ends by itself: only the client's leaving closes it upstream.
    await closed;
  });
});
