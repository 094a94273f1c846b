// `npm start`: Sokoni on PORT, on the embedded MoMo sandbox unless MOMO_BASE_URL says otherwise.
import { readArgs } from './cli-args';
import { ConfigError, loadConfig, type Config } from './config';
import { loadDotenv } from './env-file';
import type { Sokoni } from './server';
import { StartupError } from './startup-error';

readArgs({
  name: 'npm start',
  usage: `usage: npm start

Starts Sokoni: the store, the API and the worker that follows payments and payouts, on the
embedded MoMo sandbox unless MOMO_BASE_URL names a MoMo. It takes no options: every setting
comes from the environment or from .env in the working directory (see .env.example), e.g.
PORT (3000), HOST (127.0.0.1), DATABASE_PATH (./data/sokoni.db), DATABASE_URL (postgres://…,
instead of DATABASE_PATH), PUBLIC_URL, ADMIN_TOKEN.
SOKONI_DOTENV=false leaves .env unread.`,
  options: {},
});
loadDotenv();

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

// Loaded once the arguments and settings are known good, so --help and a typo answer at once.
const { createLogger } = await import('./log');
const { startSokoni } = await import('./server');
const { describeDatabase } = await import('./db/open');
const log = createLogger();
let sokoni: Sokoni;
try {
  sokoni = await startSokoni(config, { log });
} catch (error) {
  // One line a person can act on: a StartupError names the setting to change.
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof StartupError ? message : `Sokoni could not start: ${message.split('\n')[0]}`);
  process.exit(1);
}

const lines = [
  `Sokoni store      ${sokoni.url}/`,
  `Database          ${describeDatabase(config)}`,
  sokoni.sandbox
    ? `MoMo              embedded sandbox at ${sokoni.momoBaseUrl} (payments are simulated, approval: ${config.sandbox.approval})`
    : `MoMo              ${sokoni.momoBaseUrl} (target environment ${config.momo.targetEnvironment})`,
  ...(sokoni.sandbox ? [`Handset           ${sokoni.momoBaseUrl}/handset`] : []),
  sokoni.callbackUrl
    ? `Callback URL      ${sokoni.callbackUrl}${config.publicUrl ? '' : ' (embedded sandbox; set PUBLIC_URL, e.g. an ngrok https URL, for a real MoMo)'}`
    : 'Callback URL      none: set PUBLIC_URL (e.g. your ngrok https URL) to receive MoMo callbacks; polling meanwhile',
  `Console           ${sokoni.url}/admin (the first owner: npm run users:create -- --email you@example.com --role owner)`,
  `Admin API         ${config.adminToken ? 'ADMIN_TOKEN acts as an owner key for this release (deprecated: use API keys from the console)' : 'API keys from the console (Authorization: Bearer <key>)'}`,
];
console.log(lines.join('\n'));

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    sokoni.close().then(() => process.exit(0), (error) => {
      log.error('shutdown.failed', { error });
      process.exit(1);
    });
  });
}
