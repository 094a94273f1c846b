// The round-robin proxy (proxy.ts) as a process of its own, so the CPU it costs is its own and not
// the load generator's. PROXY_PORT and PROXY_UPSTREAMS (comma-separated base URLs) say what it does.
import { startProxy } from './proxy';

const port = Number(process.env.PROXY_PORT);
const upstreams = (process.env.PROXY_UPSTREAMS ?? '').split(',').filter(Boolean);
if (!Number.isInteger(port) || port <= 0 || upstreams.length === 0) throw new Error('PROXY_PORT and PROXY_UPSTREAMS are required');
const proxy = await startProxy({ upstreams, port });
process.stdout.write(`proxy on ${proxy.url} for ${upstreams.join(', ')}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void proxy.close().then(() => process.exit(0)));
