// Starts a cluster and waits to be killed: the crash the harness must clean up after
// (test/db/postgres-harness.test.ts). Prints the run's folder once the server is ready.
import { findBinaries, startCluster } from './postgres-cluster';

const binaries = findBinaries();
if (binaries === null) throw new Error('no PostgreSQL here');
const cluster = await startCluster(binaries);
process.stdout.write(`${JSON.stringify({ dir: cluster.dir, dataDir: cluster.dataDir })}\n`);
setInterval(() => undefined, 60_000);
