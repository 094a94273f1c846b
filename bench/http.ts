// A lean JSON client for the load generator: node:http with keep-alive, no retries, no
// redirects. fetch costs several times more CPU per request, and the load generator shares
// the machine's two cores with what it measures.
import http from 'node:http';

export interface JsonAnswer {
  status: number;
  body: unknown;
}

export class JsonClient {
  private readonly agent: http.Agent;

  constructor(private readonly base: string, maxSockets: number) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown, timeoutMs = 60_000): Promise<JsonAnswer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${this.base}${path}`,
        {
          method,
          agent: this.agent,
          headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...headers },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // Keep the text: an HTML error page is still worth reporting.
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${path} within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
