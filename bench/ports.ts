// A free TCP port on 127.0.0.1, for servers that must know their port before they start (a
// callback URL names it). Free when asked; nothing else on this machine takes ports meanwhile.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
