// `npm run sandbox`: the MoMo sandbox alone on 127.0.0.1:SANDBOX_PORT (default 8089), for any
// MoMo client in any language. Settings come from the environment (.env), as for Sokoni.
import 'dotenv/config';
import { ConfigError, loadConfig } from '../config';
import { startSandbox } from './index';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : String(e));
    process.exit(1);
  }
  const running = await startSandbox(config.sandbox, { port: config.sandbox.port, host: '127.0.0.1' });
  console.log(`MoMo sandbox listening on ${running.url}`);
  console.log(`  base URL for MoMo clients: ${running.url}`);
  console.log(`  handset: ${running.url}/handset`);
  console.log(`  control API (loopback only): ${running.url}/_control`);
  console.log(`  approval mode: ${config.sandbox.approval}; target environments: ${Object.keys(config.sandbox.currencies).join(', ')}`);
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
