// The real Sokoni with people in it, and a browser-like client for the console: it keeps the
// cookies a browser would and reads each form's CSRF token from the page, as a browser posts it.
import supertest from 'supertest';
import { createAccounts, type Accounts, type PersonView, type Role } from '../../src/accounts';
import { startStore, type Store } from '../checkout/helpers';

export const PASSWORD = 'a long test passphrase';

export interface ConsoleStore extends Store {
  accounts: Accounts;
  people: Map<Role, PersonView>;
}

/** Sokoni on the embedded sandbox, with one owner, one operator and one viewer. */
export async function startConsole(env: Record<string, string> = {}): Promise<ConsoleStore> {
  const store = await startStore(env);
  const accounts = createAccounts({ db: store.sokoni.sql, owner2fa: false });
  const people = new Map<Role, PersonView>();
  for (const role of ['owner', 'operator', 'viewer'] as const) {
    people.set(role, await accounts.createPerson(null, { email: `${role}@example.com`, role, password: PASSWORD }));
  }
  return { ...store, accounts, people };
}

export class Browser {
  private readonly cookies = new Map<string, string>();
  constructor(readonly url: string) {}

  private remember(res: supertest.Response): supertest.Response {
    const set = res.headers['set-cookie'] as unknown as string[] | undefined;
    for (const line of set ?? []) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get cookieHeader(): string {
    return [...this.cookies.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async get(path: string, accept = 'text/html'): Promise<supertest.Response> {
    return this.remember(await supertest(this.url).get(path).set('accept', accept).set('cookie', this.cookieHeader));
  }

  /** Posts a form the way the page would, with the CSRF token the page carries unless `csrf` is false. */
  async post(path: string, fields: Record<string, string>, options: { from?: string; csrf?: boolean } = {}): Promise<supertest.Response> {
    const body = new URLSearchParams(fields);
    if (options.csrf !== false) {
      const page = await this.get(options.from ?? '/admin/account');
      body.set('_csrf', csrfOf(page.text));
    }
    return this.remember(
      await supertest(this.url).post(path).set('accept', 'text/html').set('cookie', this.cookieHeader).type('form').send(body.toString()),
    );
  }

  async signIn(email: string, password = PASSWORD, code?: string): Promise<supertest.Response> {
    return this.post('/admin/sign-in', { email, password, ...(code ? { code } : {}) }, { from: '/admin/sign-in' });
  }
}

export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF field on the page');
  return match[1]!;
}

/** A browser signed in as the person with `role`. */
export async function signedIn(store: ConsoleStore, role: Role): Promise<Browser> {
  const browser = new Browser(store.sokoni.url);
  const res = await browser.signIn(`${role}@example.com`);
  if (res.status !== 303) throw new Error(`sign-in as ${role} answered ${res.status}`);
  return browser;
}

export interface AuditRow { action: string; actorEmail: string; actorRole: string; objectId: string | null; outcome: string; before: string | null; after: string | null }

const AUDIT_ROWS = 'SELECT action, actor_email AS actorEmail, actor_role AS actorRole, object_id AS objectId, outcome, before, after FROM audit_log';

/** The audit log read from SQLite directly, for suites that run on SQLite only (sellers-auth, refunds-ui); the others use auditRowsOf. */
export function auditRows(store: Store, action?: string): AuditRow[] {
  return store.sokoni.db
    .prepare(`${AUDIT_ROWS} WHERE ? IS NULL OR action = ? ORDER BY id`)
    .all(action ?? null, action ?? null) as AuditRow[];
}

/** The audit log through the port, for suites that run on PostgreSQL too. */
export function auditRowsOf(store: Store, action?: string): Promise<AuditRow[]> {
  return action === undefined
    ? store.sokoni.sql.all<AuditRow>(`${AUDIT_ROWS} ORDER BY id`)
    : store.sokoni.sql.all<AuditRow>(`${AUDIT_ROWS} WHERE action = ? ORDER BY id`, [action]);
}
