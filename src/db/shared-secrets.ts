// Secrets every instance shares (migration 011): the first instance to ask writes one, every
// other one (and every later start) reads that one. The value never leaves the server.
import { randomBytes } from 'node:crypto';
import type { Sql } from './sql';

export async function sharedSecret(sql: Sql, name: string): Promise<string> {
  await sql.run('INSERT INTO shared_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', [
    name, randomBytes(32).toString('hex'), Date.now(),
  ]);
  return (await sql.get<{ value: string }>('SELECT value FROM shared_secrets WHERE name = ?', [name]))!.value;
}
