// `npm run sandbox`: the MoMo sandbox alone on 127.0.0.1:SANDBOX_PORT (default 8089), for any
// MoMo client in any language. It reads only its own SANDBOX_* variables (from .env too).
import { readArgs } from '../cli-args';
import { loadDotenv } from '../env-file';
import { sandboxSettingsFromEnv } from './env';
import { startSandbox } from './index';

readArgs({
  name: 'npm run sandbox',
  usage: `usage: npm run sandbox

Starts the MTN MoMo Open API sandbox alone on 127.0.0.1:SANDBOX_PORT (8089): the same paths,
headers and answers as MTN's sandbox, a simulated handset at /handset, and the control API at
/_control (loopback only). It takes no options: its settings are the SANDBOX_* variables, from the
environment or from .env in the working directory (see .env.example), e.g. SANDBOX_APPROVAL
(handset | instant | delay) and SANDBOX_DATABASE_PATH (./data/sandbox.db, or :memory:).
SOKONI_DOTENV=false leaves .env unread.`,
  options: {},
});
loadDotenv();

async function main(): Promise<void> {
  const loaded = sandboxSettingsFromEnv(process.env);
  if ('problems' in loaded) {
    console.error(`Invalid configuration:\n${loaded.problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    process.exit(1);
  }
  const { settings } = loaded;
  const running = await startSandbox(settings, { port: settings.port, host: '127.0.0.1' });
  console.log(`MoMo sandbox listening on ${running.url}`);
  console.log(`  base URL for MoMo clients: ${running.url}`);
  console.log(`  handset: ${running.url}/handset`);
  console.log(`  control API (loopback only): ${running.url}/_control`);
  console.log(`  approval mode: ${settings.approval}; target environments: ${Object.keys(settings.currencies).join(', ')}`);
  console.log(`  state kept in: ${settings.databasePath}`);
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
