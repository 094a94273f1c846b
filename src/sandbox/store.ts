// What the sandbox remembers across restarts, in SQLite (WAL, synchronous=NORMAL): API users and
// keys, the token secret, every transaction (its status body's fields, handset and deadline
// state, callback record), account and wallet balances, and the clock offset. The working set
// stays in memory; this is written through, one prepared statement per state change, and read
// once at start. `:memory:` keeps nothing after the process ends.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Transaction } from './accounts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_users (id TEXT PRIMARY KEY, provider_callback_host TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (api_user TEXT NOT NULL, api_key TEXT NOT NULL, PRIMARY KEY (api_user, api_key));
CREATE TABLE IF NOT EXISTS balances (
  owner_kind TEXT NOT NULL CHECK (owner_kind IN ('account', 'customer')),
  owner TEXT NOT NULL,
  currency TEXT NOT NULL,
  minor INTEGER NOT NULL,
  PRIMARY KEY (owner_kind, owner, currency)
);
-- One row per transaction, its whole state as JSON: only the sandbox reads it, and always whole.
CREATE TABLE IF NOT EXISTS transactions (reference_id TEXT PRIMARY KEY, state TEXT NOT NULL);
`;

export type OwnerKind = 'account' | 'customer';

export interface StoredBalance {
  kind: OwnerKind;
  owner: string;
  currency: string;
  minor: number;
}

export class SandboxStore {
  private readonly db: BetterSqlite3.Database;
  private readonly statements;

  constructor(file: string) {
    const inMemory = file === ':memory:';
    if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new BetterSqlite3(file);
    if (!inMemory) this.db.pragma('journal_mode = WAL');
    // Durable across a killed process; a power cut may lose the last commits, never the file.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.statements = {
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE name = ?'),
      setMeta: db.prepare<[string, string]>('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      users: db.prepare<[], { id: string; provider_callback_host: string }>('SELECT id, provider_callback_host FROM api_users'),
      keys: db.prepare<[], { api_user: string; api_key: string }>('SELECT api_user, api_key FROM api_keys'),
      addUser: db.prepare<[string, string]>('INSERT OR REPLACE INTO api_users (id, provider_callback_host) VALUES (?, ?)'),
      addKey: db.prepare<[string, string]>('INSERT OR IGNORE INTO api_keys (api_user, api_key) VALUES (?, ?)'),
      balances: db.prepare<[], { owner_kind: OwnerKind; owner: string; currency: string; minor: number }>('SELECT owner_kind, owner, currency, minor FROM balances'),
      setBalance: db.prepare<[OwnerKind, string, string, number]>(
        'INSERT INTO balances (owner_kind, owner, currency, minor) VALUES (?, ?, ?, ?) ON CONFLICT (owner_kind, owner, currency) DO UPDATE SET minor = excluded.minor',
      ),
      transactions: db.prepare<[], { state: string }>('SELECT state FROM transactions ORDER BY rowid'),
      saveTransaction: db.prepare<[string, string]>('INSERT INTO transactions (reference_id, state) VALUES (?, ?) ON CONFLICT (reference_id) DO UPDATE SET state = excluded.state'),
    };
  }

  meta(name: string): string | undefined {
    return this.statements.getMeta.get(name)?.value;
  }

  setMeta(name: string, value: string): void {
    this.statements.setMeta.run(name, value);
  }

  users(): { id: string; providerCallbackHost: string; keys: string[] }[] {
    const keys = new Map<string, string[]>();
    for (const row of this.statements.keys.all()) {
      const list = keys.get(row.api_user);
      if (list) list.push(row.api_key);
      else keys.set(row.api_user, [row.api_key]);
    }
    return this.statements.users.all().map((u) => ({ id: u.id, providerCallbackHost: u.provider_callback_host, keys: keys.get(u.id) ?? [] }));
  }

  addUser(id: string, providerCallbackHost: string): void {
    this.statements.addUser.run(id, providerCallbackHost);
  }

  addKey(apiUser: string, apiKey: string): void {
    this.statements.addKey.run(apiUser, apiKey);
  }

  balances(): StoredBalance[] {
    return this.statements.balances.all().map((b) => ({ kind: b.owner_kind, owner: b.owner, currency: b.currency, minor: b.minor }));
  }

  setBalance(kind: OwnerKind, owner: string, currency: string, minor: number): void {
    this.statements.setBalance.run(kind, owner, currency, minor);
  }

  transactions(): Transaction[] {
    return this.statements.transactions.all().map((row) => JSON.parse(row.state) as Transaction);
  }

  saveTransaction(tx: Transaction): void {
    this.statements.saveTransaction.run(tx.referenceId, JSON.stringify(tx));
  }

  /** Runs `fn` as one commit: a finalisation's status and its money move together or not at all. */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  clear(options: { users: boolean }): void {
    this.atomically(() => {
      this.db.exec('DELETE FROM transactions; DELETE FROM balances;');
      if (options.users) this.db.exec('DELETE FROM api_users; DELETE FROM api_keys;');
    });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
