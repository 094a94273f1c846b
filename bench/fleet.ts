// The Sokoni processes of one run: one instance as before, or several on one database behind the
// round-robin proxy (proxy.ts, run as its own process), which shoppers and MoMo's callbacks go
// through. The chaos run kills instances one at a time and restarts them on the same address,
// while the others and the proxy keep serving.
import { join } from 'node:path';
import { spawnNode, type Child } from './procs';
import { startSokoniProcess, type SokoniLaunch } from './stack';

export class Fleet {
  private constructor(
    readonly launch: SokoniLaunch,
    private readonly instances: Child[],
    readonly proxy: Child | null,
  ) {}

  /**
   * The first instance alone (it migrates an empty database and seeds the demo shop), then the
   * others together, then the proxy in front of them.
   */
  static async start(launch: SokoniLaunch): Promise<Fleet> {
    const instances: Child[] = [];
    try {
      instances.push(await startSokoniProcess(launch, 0));
      instances.push(...(await Promise.all(launch.instanceUrls.slice(1).map((_, i) => startSokoniProcess(launch, i + 1)))));
      const proxy = launch.instanceUrls.length === 1 ? null : await spawnNode({
        script: 'bench/proxy-main.ts',
        cwd: launch.dir,
        logFile: join(launch.dir, 'proxy.log'),
        url: launch.url,
        readyPath: '/api/products',
        env: { PROXY_PORT: new URL(launch.url).port, PROXY_UPSTREAMS: launch.instanceUrls.join(',') },
      });
      return new Fleet(launch, instances, proxy);
    } catch (error) {
      await Promise.all(instances.map((child) => child.kill('SIGKILL')));
      throw error;
    }
  }

  get url(): string {
    return this.launch.url;
  }

  get size(): number {
    return this.instances.length;
  }

  /** The instances' pids, for the CPU and memory watchers. */
  pids(): number[] {
    return this.instances.map((child) => child.pid);
  }

  /** Kills instance `i` with `signal` and starts it again on the same address and database. */
  async restart(i: number, signal: NodeJS.Signals): Promise<void> {
    const child = this.instances[i];
    if (child === undefined) throw new Error(`instance ${i} of ${this.instances.length}`);
    await child.kill(signal);
    this.instances[i] = await startSokoniProcess(this.launch, i);
  }

  /** Every instance, then the proxy. SIGTERM lets an instance write its CPU profile when asked for one. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await Promise.all(this.instances.map((child) => child.kill(signal)));
    await this.proxy?.kill(signal);
  }
}
