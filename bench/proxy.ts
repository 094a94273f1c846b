// A small round-robin HTTP proxy for running several Sokoni instances in the bench and the chaos
// run: what nginx or Caddy does in front of a real deployment, reduced to what those runs need.
// Each request goes to the next instance in turn; an instance that refuses the connection (it
// was SIGKILLed and is restarting) is skipped and left out for a moment, and the request goes
// to the next one. Answers stream through as they come, so a long-polled order page or an SSE
// stream works as it does without the proxy; nothing is buffered or timed out here.
//
// A request is sent again elsewhere only when its instance could not be reached at all, so it
// never ran there. One that reached an instance which then died is answered 502, as nginx does
// for a non-idempotent request (proxy_next_upstream without non_idempotent): the shopper's
// retry with the same idempotency key is what makes it safe, not the proxy.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyOptions {
  /** The instances' base URLs (http://host:port), in the order they take turns. */
  upstreams: string[];
  /** How long an instance that refused a connection is skipped (1000 ms). */
  downForMs?: number;
  /** 127.0.0.1 by default. */
  host?: string;
  /** 0 (any free port) by default. */
  port?: number;
}

export interface Proxy {
  url: string;
  /** Requests each upstream answered, by its URL; for the reports and the tests. */
  answered: Map<string, number>;
  close(): Promise<void>;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) are the connection's, not the request's. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** The connection never reached the instance: the request can go elsewhere. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

function forwardedHeaders(req: http.IncomingMessage): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  // The shopper's address, as a proxy says it; Sokoni believes it only with TRUST_PROXY set.
  const prior = req.headers['x-forwarded-for'];
  const client = req.socket.remoteAddress ?? 'unknown';
  headers['x-forwarded-for'] = prior === undefined ? client : `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client}`;
  headers['x-forwarded-proto'] = 'http';
  return headers;
}

export async function startProxy(options: ProxyOptions): Promise<Proxy> {
  if (options.upstreams.length === 0) throw new Error('the proxy needs at least one upstream');
  const upstreams = options.upstreams.map((base) => new URL(base));
  const downUntil = new Map<string, number>();
  const answered = new Map<string, number>(upstreams.map((u) => [u.toString(), 0]));
  const downForMs = options.downForMs ?? 1000;
  // Kept-alive connections to the instances, as nginx's upstream keepalive: a new TCP connection
  // per request would cost each instance more than the request itself.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  let next = 0;

  /** The upstreams from the next in turn, those marked down last (all down: try them all anyway). */
  const order = (): URL[] => {
    const start = next;
    next = (next + 1) % upstreams.length;
    const turn = upstreams.map((_, i) => upstreams[(start + i) % upstreams.length]!);
    const now = Date.now();
    const up = turn.filter((u) => (downUntil.get(u.toString()) ?? 0) <= now);
    return [...up, ...turn.filter((u) => !up.includes(u))];
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    // Bodies are small JSON or forms (Sokoni refuses large ones); read whole so a request can go to another instance.
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => send(req, res, Buffer.concat(chunks), order()));
  });

  const send = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, candidates: URL[]): void => {
    const [target, ...rest] = candidates;
    if (target === undefined) {
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end('no instance answered\n');
      return;
    }
    const key = target.toString();
    const upstream = http.request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req),
      agent,
    });
    let reached = false;
    upstream.on('socket', (socket) => {
      if (!socket.connecting) reached = true;
      else socket.once('connect', () => (reached = true));
    });
    upstream.on('response', (answer) => {
      answered.set(key, (answered.get(key) ?? 0) + 1);
      const headers: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
      // An SSE stream or a long poll sends its first bytes long before it ends: pass each on at once.
      res.flushHeaders();
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      answer.on('aborted', () => res.destroy());
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (!reached && UNREACHABLE.has(error.code ?? '')) {
        downUntil.set(key, Date.now() + downForMs);
        send(req, res, body, rest);
        return;
      }
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end('the instance broke off\n');
    });
    // The shopper went away (a closed SSE page, an abandoned long poll): so does the request upstream.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    answered,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
