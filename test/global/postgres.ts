// Vitest global setup: a throwaway PostgreSQL for the run, when this machine has one. Tests read
// what it provides with `inject('postgres')` (see postgres-context.ts). Under CI=true a missing
// PostgreSQL fails the run; elsewhere the PostgreSQL tests skip and say how to install it.
import type { TestProject } from 'vitest/node';
import { findBinaries, INSTALL_HINT, startCluster, sweepAbandoned, type Cluster } from './postgres-cluster';
import type { PostgresContext } from './postgres-context';

/** Stops the cluster when the run ends without its teardown (Ctrl-C, a kill, a crash). */
function stopOnExit(cluster: Cluster): () => void {
  const onExit = () => cluster.stopNow();
  const onSignal = (signal: NodeJS.Signals) => {
    cluster.stopNow();
    // Vitest exits on SIGINT and SIGTERM itself; where nobody else listens, die of the signal as usual.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  process.once('exit', onExit);
  for (const signal of signals) process.once(signal, onSignal);
  return () => {
    process.off('exit', onExit);
    for (const signal of signals) process.off(signal, onSignal);
  };
}

/** Without PostgreSQL: a failure under CI=true, else the reason the tests give for skipping. */
export function withoutPostgres(env: NodeJS.ProcessEnv): PostgresContext {
  const missing = `PostgreSQL's initdb, pg_ctl and postgres are not on PATH nor in /usr/lib/postgresql/*/bin`;
  if (env.CI === 'true') throw new Error(`${missing}, and CI=true requires them: ${INSTALL_HINT}`);
  return { url: null, skipped: `${missing}: ${INSTALL_HINT} to run the PostgreSQL tests` };
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const binaries = findBinaries();
  if (binaries === null) {
    project.provide('postgres', withoutPostgres(process.env));
    return undefined;
  }
  sweepAbandoned();
  const cluster = await startCluster(binaries);
  const forget = stopOnExit(cluster);
  const context: PostgresContext = { url: cluster.url, skipped: null, dir: cluster.dir, dataDir: cluster.dataDir, version: binaries.version };
  project.provide('postgres', context);
  return async () => {
    forget();
    await cluster.stop();
  };
}
