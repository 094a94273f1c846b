// A developer's `.env` (an ngrok PUBLIC_URL, MTN's sandbox with real keys, another database, an
// admin token) must never reach a Sokoni that a test, the bench or the chaos run starts.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, tempDir } from '../checkout/helpers';
import { runScript, type Running } from '../processes';

const running: Running[] = [];
const temps: { remove(): void }[] = [];
afterEach(async () => {
  for (const proc of running.splice(0)) await proc.stop();
  for (const temp of temps.splice(0)) temp.remove();
});

function developerFolder(): string {
  const temp = tempDir();
  temps.push(temp);
  writeFileSync(join(temp.dir, '.env'), [
    'PUBLIC_URL=https://abc.ngrok-free.app',
    'MOMO_BASE_URL=https://sandbox.momodeveloper.mtn.com',
    'COLLECTION_PRIMARY_KEY=0123456789abcdef0123456789abcdef',
    'COLLECTION_USER_ID=6f1b5a57-2b0c-4c44-9d5e-2a9d3c3f1b11',
    'COLLECTION_API_SECRET=developer-secret-collection',
    'DISBURSEMENT_PRIMARY_KEY=fedcba9876543210fedcba9876543210',
    'DISBURSEMENT_USER_ID=0b6c2d3e-4f50-4a61-8b72-9c83d4e5f607',
    'DISBURSEMENT_API_SECRET=developer-secret-disbursement',
    'DATABASE_PATH=./somewhere.db',
    'ADMIN_TOKEN=developer-admin-token-0123456789',
    '',
  ].join('\n'));
  return temp.dir;
}

async function startIn(folder: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const proc = runScript('src/main.ts', {
    cwd: folder,
    env: { PORT: String(port), DATABASE_PATH: join(folder, 'test.db'), ACCESS_LOG: 'false', ...env },
  });
  running.push(proc);
  await proc.waitFor(/^Admin API .*$/m);
  return { proc, url: `http://127.0.0.1:${port}` };
}

describe('a spawned Sokoni and the .env of the folder it runs in', () => {
  it('ignores it: embedded sandbox, its own callback URL, no admin token, no other database', async () => {
    const folder = developerFolder();
    const { proc, url } = await startIn(folder);
    expect(proc.stdout()).toMatch(/^MoMo +embedded sandbox at /m);
    expect(proc.stdout()).toContain(`Callback URL      ${url}/callback`);
    expect(proc.stdout()).not.toContain('abc.ngrok-free.app');
    const balance = await fetch(`${url}/balance`, { headers: { authorization: 'Bearer developer-admin-token-0123456789' } });
    expect(balance.status).toBe(503);
    expect(((await balance.json()) as { error: { code: string } }).error.code).toBe('admin_disabled');
    expect(existsSync(join(folder, 'somewhere.db'))).toBe(false);
    expect(existsSync(join(folder, 'test.db'))).toBe(true);
  });

  it('reads it only when SOKONI_DOTENV is not false, as `npm start` does (so the test above can fail)', async () => {
    const folder = developerFolder();
    const { proc } = await startIn(folder, { SOKONI_DOTENV: 'true' });
    expect(proc.stdout()).toMatch(/^MoMo +https:\/\/sandbox\.momodeveloper\.mtn\.com /m);
    expect(proc.stdout()).toContain('https://abc.ngrok-free.app/callback');
  });
});
