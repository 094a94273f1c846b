// npm run users:create -- --email <email> --role owner|operator|viewer [--password-stdin]
// Creates a person in DATABASE_PATH (or DATABASE_URL's PostgreSQL). The password is asked for twice on the terminal, without
// echo; with --password-stdin it is the first line of stdin (for scripts). It never appears in
// the arguments, where `ps` and shell history would show it.
import { createInterface } from 'node:readline';
import { readArgs, refuse } from '../cli-args';
import { loadConfig } from '../config';
import { openMigrated } from '../db/open';
import { DomainError } from '../domain-error';
import { loadDotenv } from '../env-file';
import { createAccounts } from './service';

const command = {
  name: 'npm run users:create',
  usage: `usage: npm run users:create -- --email <email> --role owner|operator|viewer [--password-stdin]

Creates a person who signs in to the console at /admin, in DATABASE_PATH, or in DATABASE_URL's
PostgreSQL when set (from the environment or .env). The password (at least 12 characters) is asked for twice without echo, or read from the
first line of stdin with --password-stdin; it never goes in the arguments.`,
  options: { email: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false } },
} as const;

function firstLineOfStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: process.stdin });
    let done = false;
    lines.once('line', (line) => {
      done = true;
      lines.close();
      resolve(line);
    });
    lines.once('close', () => (done ? undefined : reject(new Error('no password on stdin'))));
  });
}

/** Reads a line from the terminal without echoing it. */
function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    if (!stdin.isTTY) {
      reject(new Error('no terminal to ask for the password: use --password-stdin'));
      return;
    }
    process.stdout.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let typed = '';
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(typed);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new Error('cancelled'));
          return;
        }
        typed = char === '\u007f' ? typed.slice(0, -1) : typed + char;
      }
    };
    function finish() {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write('\n');
    }
    stdin.on('data', onData);
  });
}

async function main(): Promise<void> {
  const values = readArgs(command);
  if (!values.email || !values.role) refuse(command, 'both --email and --role are needed');
  loadDotenv();
  let password: string;
  if (values['password-stdin']) password = await firstLineOfStdin();
  else {
    password = await askHidden('Password (at least 12 characters): ');
    if ((await askHidden('Password again: ')) !== password) throw new Error('the two passwords differ; nothing was created');
  }
  const config = loadConfig();
  // DATABASE_URL's PostgreSQL when set, else DATABASE_PATH's SQLite.
  const store = await openMigrated(config);
  try {
    const person = await createAccounts({ db: store.sql, owner2fa: config.owner2fa }).createPerson(null, { email: values.email, role: values.role, password });
    console.log(`Created ${person.role} ${person.email} (${person.id}). Sign in at /admin/sign-in.`);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof DomainError || error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
