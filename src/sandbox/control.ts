// The control surface: an object for code in the same process, and `{mount}/_control`, a JSON
// API answered only to loopback clients, for tests, benchmarks and chaos runs in other processes.
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { parseDecimal } from '../money';
import type { Transaction } from './accounts';
import type { CallbackState } from './callbacks';
import type { EndpointCount } from './calls';
import type { SandboxCore } from './core';
import type { FaultRule, FaultRuleInput } from './faults';
import { answerRequest, normaliseMsisdn, pendingRequests, type HandsetAnswer, type HandsetRequest } from './handset/requests';
import type { Product } from './products';
import { SettingsError, type SandboxSettings, type SettingsPatch } from './settings';

export interface TransactionView {
  referenceId: string;
  product: Product;
  kind: Transaction['kind'];
  version: Transaction['version'];
  operation: string;
  apiUser: string;
  status: Transaction['status'];
  reason: string | null;
  amount: string;
  currency: string;
  party: { partyIdType: string; partyId: string };
  referenceIdToRefund: string | null;
  createdAt: string;
  finishedAt: string | null;
  awaitingHandset: boolean;
  /** When it finishes by itself (delay or handset timeout), if it does. */
  deadline: string | null;
  callback: CallbackState | null;
  /** Exactly what the status GET answers. */
  body: Record<string, unknown>;
}

export interface BalancesView {
  /** product → currency → major-unit decimal string. */
  accounts: Record<string, Record<string, string>>;
  /** customer id (MSISDN digits, email, party code) → currency → balance. */
  customers: Record<string, Record<string, string>>;
}

export interface CallsView {
  total: number;
  byEndpoint: Record<string, EndpointCount>;
  byOperation: Record<string, number>;
}

export type BalanceTarget = { account: Product } | { customer: string };

export interface SandboxControl {
  settings(): SandboxSettings;
  updateSettings(patch: SettingsPatch): SandboxSettings;
  /** Forgets transactions, wallets, call counts, fault rules and the clock offset; `users: true` also forgets API users. */
  reset(options?: { users?: boolean }): void;
  /** Moves the sandbox clock forward (token expiry, approval deadlines); returns the total offset. */
  advanceClock(ms: number): number;
  clock(): { now: string; offsetMs: number };
  /** Creates an API user and key without HTTP, as Sokoni's embedded mode needs at start. */
  provision(providerCallbackHost: string): { apiUser: string; apiKey: string };
  transactions(filter?: { status?: string; product?: string; party?: string }): TransactionView[];
  transaction(referenceId: string): TransactionView | undefined;
  /**
   * Rewrites what a transaction's status read answers, moving no money: a record changed behind
   * the merchant's back, for reconciliation tests (issue #12). Undefined when there is no such transaction.
   */
  rewriteTransaction(referenceId: string, change: { status?: Transaction['status']; amount?: string }): TransactionView | undefined;
  balances(): BalancesView;
  /** Sets an account's or a customer's balance, in major units of `currency`. */
  setBalance(target: BalanceTarget, currency: string, amount: string): void;
  calls(): CallsView;
  resetCalls(): void;
  faults(): FaultRule[];
  addFault(rule: FaultRuleInput): FaultRule;
  removeFault(id: string): boolean;
  clearFaults(): void;
  pending(msisdn: string): HandsetRequest[];
  approve(referenceId: string, pin: string): HandsetAnswer;
  reject(referenceId: string): HandsetAnswer;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export function createControl(core: SandboxCore): SandboxControl {
  const toView = (tx: Transaction): TransactionView => ({
    referenceId: tx.referenceId,
    product: tx.product,
    kind: tx.kind,
    version: tx.version,
    operation: tx.operation,
    apiUser: tx.apiUser,
    status: tx.status,
    reason: tx.reason ?? null,
    amount: tx.amount,
    currency: tx.currency,
    party: { ...tx.party },
    referenceIdToRefund: tx.referenceIdToRefund ?? null,
    createdAt: iso(tx.createdAt)!,
    finishedAt: iso(tx.finishedAt),
    awaitingHandset: tx.awaitingHandset,
    deadline: iso(tx.deadline),
    callback: tx.callback ? { ...tx.callback } : null,
    body: core.accounts.resultBody(tx),
  });

  return {
    settings: () => core.settings,
    updateSettings: (patch) => core.updateSettings(patch),
    reset: (options) => core.reset(options),
    advanceClock(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new SettingsError('advanceClock: ms must be a non-negative number');
      core.advanceClock(ms);
      return core.clock.offset;
    },
    clock: () => ({ now: new Date(core.clock.now()).toISOString(), offsetMs: core.clock.offset }),
    provision(providerCallbackHost) {
      const apiUser = randomUUID();
      core.identity.createUser(apiUser, providerCallbackHost);
      return { apiUser, apiKey: core.identity.createKey(core.identity.get(apiUser)!) };
    },
    transactions(filter = {}) {
      const party = filter.party === undefined ? undefined : normaliseMsisdn(filter.party);
      return core.accounts
        .list()
        .filter((tx) => (!filter.status || tx.status === filter.status) && (!filter.product || tx.product === filter.product) && (!party || tx.partyKey === party))
        .map(toView);
    },
    transaction(referenceId) {
      const tx = core.accounts.find(referenceId, ['requesttopay', 'requesttowithdraw', 'transfer', 'deposit', 'refund']);
      return tx && toView(tx);
    },
    rewriteTransaction(referenceId, change) {
      const tx = core.accounts.find(referenceId, ['requesttopay', 'requesttowithdraw', 'transfer', 'deposit', 'refund']);
      if (!tx) return undefined;
      if (change.status !== undefined && !['PENDING', 'SUCCESSFUL', 'FAILED'].includes(change.status)) throw new SettingsError('status must be PENDING, SUCCESSFUL or FAILED');
      const amountMinor = change.amount === undefined ? tx.amountMinor : parseDecimal(change.amount, tx.currency);
      if (change.status !== undefined) {
        tx.status = change.status;
        tx.reason = change.status === 'FAILED' ? (tx.reason ?? 'INTERNAL_PROCESSING_ERROR') : undefined;
      }
      if (change.amount !== undefined) Object.assign(tx, { amount: change.amount, amountMinor });
      core.store.saveTransaction(tx);
      return toView(tx);
    },
    balances: () => core.wallets.snapshot(),
    setBalance(target, currency, amount) {
      const minor = parseDecimal(amount, currency);
      if ('account' in target) core.wallets.setAccount(target.account, currency, minor);
      else core.wallets.setCustomer(normaliseMsisdn(target.customer), currency, minor);
    },
    calls: () => core.calls.snapshot(),
    resetCalls: () => core.calls.reset(),
    faults: () => core.faults.list(),
    addFault: (rule) => core.faults.add(rule),
    removeFault: (id) => core.faults.remove(id),
    clearFaults: () => core.faults.clear(),
    pending: (msisdn) => pendingRequests(core, msisdn),
    approve: (referenceId, pin) => answerRequest(core, referenceId, 'approve', pin),
    reject: (referenceId) => answerRequest(core, referenceId, 'reject'),
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Headers a reverse proxy or tunnel (nginx, ngrok) adds. Behind one, every request comes from the
 * proxy's loopback address, so the socket alone cannot tell a local caller from the internet:
 * any of these headers means "came through a proxy", whatever Express's trust-proxy says.
 */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip'];

/** Runs a control call; bad input (settings, faults, amounts) is a 400 with the reason. */
function guard(res: Response, fn: () => unknown): void {
  try {
    const result = fn();
    if (result === undefined) res.status(204).end();
    else res.json(result);
  } catch (e) {
    res.status(400).json({ error: (e as Error).message });
  }
}

export function controlRouter(control: SandboxControl): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    // Local only: the control API can rewrite balances and break everything on purpose.
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) return void res.status(403).json({ error: 'The control API answers loopback clients only.' });
    if (FORWARDING_HEADERS.some((name) => req.headers[name] !== undefined)) {
      return void res.status(403).json({ error: 'The control API does not answer requests that came through a proxy.' });
    }
    next();
  });
  router.use(express.json({ limit: '64kb' }));
  const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

  router.get('/settings', (_req, res) => guard(res, () => control.settings()));
  router.patch('/settings', (req, res) => guard(res, () => control.updateSettings(body(req))));
  router.post('/reset', (req, res) => guard(res, () => control.reset({ users: body(req).users === true })));
  router.get('/clock', (_req, res) => guard(res, () => control.clock()));
  router.post('/clock/advance', (req, res) =>
    guard(res, () => {
      const { ms, seconds } = body(req);
      control.advanceClock(typeof seconds === 'number' ? seconds * 1000 : Number(ms));
      return control.clock();
    }),
  );
  router.post('/provision', (req, res) =>
    guard(res, () => {
      const host = body(req).providerCallbackHost;
      if (typeof host !== 'string' || host === '') throw new SettingsError('providerCallbackHost is required');
      return control.provision(host);
    }),
  );
  router.get('/transactions', (req, res) =>
    guard(res, () => {
      // Only single string values filter; a repeated or nested parameter is refused by name.
      const filter: { status?: string; product?: string; party?: string } = {};
      for (const name of ['status', 'product', 'party'] as const) {
        const value: unknown = Object.hasOwn(req.query, name) ? req.query[name] : undefined;
        if (value === undefined) continue;
        if (typeof value !== 'string') throw new SettingsError(`${name} must be given once, as text`);
        filter[name] = value;
      }
      return { transactions: control.transactions(filter) };
    }),
  );
  router.get('/transactions/:referenceId', (req, res) => {
    const view = control.transaction(req.params.referenceId);
    if (view) res.json(view);
    else res.status(404).json({ error: 'No such transaction.' });
  });
  router.patch('/transactions/:referenceId', (req, res) => {
    const { status, amount } = body(req);
    if (!control.transaction(req.params.referenceId)) return void res.status(404).json({ error: 'No such transaction.' });
    guard(res, () => {
      if (amount !== undefined && typeof amount !== 'string') throw new SettingsError('amount must be a decimal string');
      return control.rewriteTransaction(req.params.referenceId, { status: status as Transaction['status'] | undefined, amount });
    });
  });
  router.get('/balances', (_req, res) => guard(res, () => control.balances()));
  router.post('/balances', (req, res) =>
    guard(res, () => {
      const { account, customer, currency, amount } = body(req);
      if (typeof currency !== 'string' || typeof amount !== 'string') throw new SettingsError('currency and amount (a decimal string) are required');
      if (account === 'collection' || account === 'disbursement' || account === 'remittance') control.setBalance({ account }, currency, amount);
      else if (typeof customer === 'string' && customer !== '') control.setBalance({ customer }, currency, amount);
      else throw new SettingsError('give account (collection, disbursement, remittance) or customer');
      return control.balances();
    }),
  );
  router.get('/calls', (_req, res) => guard(res, () => control.calls()));
  router.delete('/calls', (_req, res) => guard(res, () => control.resetCalls()));
  router.get('/faults', (_req, res) => guard(res, () => ({ faults: control.faults() })));
  router.post('/faults', (req, res) => guard(res, () => control.addFault(body(req) as unknown as FaultRuleInput)));
  router.delete('/faults', (_req, res) => guard(res, () => control.clearFaults()));
  router.delete('/faults/:id', (req, res) => {
    if (control.removeFault(req.params.id)) res.status(204).end();
    else res.status(404).json({ error: 'No such fault rule.' });
  });
  router.use((_req, res) => void res.status(404).json({ error: 'No such control endpoint.' }));
  router.use((err: Error, _req: Request, res: Response, _next: NextFunction) => void res.status(400).json({ error: err.message }));
  return router;
}
