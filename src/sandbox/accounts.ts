// MoMo's accounts as the sandbox keeps them: every transaction, its creation, the path to a
// final state under each approval mode, money movement at finalisation, the status body, and the
// callback. (Not Sokoni's books: this is the simulated MoMo side.) Deadlines (delay mode, handset
// timeouts) sit in one heap behind one timer, and a status read past a deadline settles it first,
// so results never depend on timer jitter and a clock advance takes effect at once.
import type { Clock, Timers } from './clock';
import type { Callbacks, CallbackState } from './callbacks';
import { DeadlineHeap } from '../deadline-heap';
import type { Product } from './products';
import { formatReason } from './reasons';
import type { SandboxSettings } from './settings';
import type { SandboxStore } from './store';
import { plannedOutcome, type PlannedOutcome } from './testNumbers';
import { walletKey, type CreateBody, type Party } from './validation';
import type { Wallets } from './wallets';

export type Kind = 'requesttopay' | 'requesttowithdraw' | 'transfer' | 'deposit' | 'refund';
export type Status = 'PENDING' | 'SUCCESSFUL' | 'FAILED';

export interface Transaction {
  referenceId: string;
  product: Product;
  kind: Kind;
  version: 'v1_0' | 'v2_0';
  operation: string;
  apiUser: string;
  amount: string;
  amountMinor: number;
  currency: string;
  externalId?: string;
  /** The payer for collections, the payee otherwise (for a refund: the refunded payer). */
  party: Party;
  partyKey: string;
  payerMessage?: string;
  payeeNote?: string;
  referenceIdToRefund?: string;
  status: Status;
  reason?: string;
  financialTransactionId?: string;
  createdAt: number;
  finishedAt?: number;
  /** A failure decided at creation (test number, callback host); 'pending' never finishes. */
  plan?: PlannedOutcome;
  /** When it finishes by itself: the delay, or the handset's approval timeout. */
  deadline: number | null;
  awaitingHandset: boolean;
  callback?: CallbackState;
  notified: boolean;
  refundedMinor: number;
  /** The party's wallet right after a SUCCESSFUL one moved it: the "New balance" of its SMS. */
  balanceAfterMinor?: number;
}

export interface CreateInput {
  referenceId: string;
  product: Product;
  kind: Kind;
  version: 'v1_0' | 'v2_0';
  operation: string;
  apiUser: string;
  body: CreateBody;
  party: Party;
  callbackUrl: URL | null;
  /** The callback URL's host differs from the API user's providerCallbackHost. */
  callbackHostRejected: boolean;
}

const COLLECTIONS: ReadonlySet<Kind> = new Set(['requesttopay', 'requesttowithdraw']);

export class MomoAccounts {
  private readonly txs = new Map<string, Transaction>();
  private readonly handset = new Map<string, Set<Transaction>>();
  /** partyKey → its transactions, for the handset's messages. */
  private readonly byParty = new Map<string, Transaction[]>();
  private readonly deadlines = new DeadlineHeap<Transaction>();
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Infinity;
  private nextFinancialId = 1_000_000_000 + Math.floor(Math.random() * 1_000_000_000);

  constructor(
    private readonly settings: () => SandboxSettings,
    private readonly clock: Clock,
    private readonly timers: Timers,
    private readonly wallets: Wallets,
    private readonly callbacks: Callbacks,
    private readonly store: SandboxStore,
  ) {
    this.load();
  }

  /**
   * Takes up what the store remembers: requests still waiting go back on their handsets, and
   * deadlines (delays, handset timeouts) and undelivered callbacks are re-armed from their stored
   * due times; what fell due while the sandbox was down happens at once.
   */
  private load(): void {
    for (const tx of this.store.transactions()) {
      this.txs.set(tx.referenceId, tx);
      this.index(tx);
      const id = Number(tx.financialTransactionId);
      if (id >= this.nextFinancialId) this.nextFinancialId = id + 1;
      if (tx.status === 'PENDING' && tx.awaitingHandset) this.queueOnHandset(tx);
      if (tx.status === 'PENDING' && tx.deadline !== null) this.deadlines.push(tx.deadline, tx);
      if (tx.callback && tx.status !== 'PENDING') this.callbacks.resume(tx.callback, this.resultBody(tx), () => this.store.saveTransaction(tx));
    }
    this.arm();
  }

  /** Reference ids are unique across all operations: MTN asks never to reuse one (§9). */
  has(referenceId: string): boolean {
    return this.txs.has(referenceId);
  }

  /** A transaction of one of `kinds`, settled first if its deadline has passed. */
  find(referenceId: string, kinds: readonly Kind[]): Transaction | undefined {
    const tx = this.txs.get(referenceId);
    if (!tx || !kinds.includes(tx.kind)) return undefined;
    if (tx.status === 'PENDING' && tx.deadline !== null && tx.deadline <= this.clock.now()) this.expire(tx);
    return tx;
  }

  create(input: CreateInput): Transaction {
    const { body, party } = input;
    const settings = this.settings();
    const now = this.clock.now();
    const tx: Transaction = {
      referenceId: input.referenceId,
      product: input.product,
      kind: input.kind,
      version: input.version,
      operation: input.operation,
      apiUser: input.apiUser,
      amount: body.amount,
      amountMinor: body.amountMinor,
      currency: body.currency,
      ...(body.externalId !== undefined && { externalId: body.externalId }),
      party,
      partyKey: walletKey(party),
      ...(body.payerMessage !== undefined && { payerMessage: body.payerMessage }),
      ...(body.payeeNote !== undefined && { payeeNote: body.payeeNote }),
      ...(body.referenceIdToRefund && { referenceIdToRefund: body.referenceIdToRefund }),
      status: 'PENDING',
      createdAt: now,
      deadline: null,
      awaitingHandset: false,
      notified: false,
      refundedMinor: 0,
    };
    // A rejected callback host is not sent a callback: the host is exactly what is not trusted.
    if (input.callbackUrl && !input.callbackHostRejected) {
      tx.callback = {
        url: input.callbackUrl.href,
        method: this.callbacks.methodFor(input.version),
        attempts: 0,
        delivered: false,
        dropped: false,
        lastStatus: null,
        lastError: null,
        dueAt: null,
        retryIndex: 0,
      };
    }
    const table = input.kind === 'transfer' ? 'transfer' : 'payment';
    const planned = input.callbackHostRejected ? { fail: 'INVALID_CALLBACK_URL_HOST' } : input.kind === 'refund' ? undefined : plannedOutcome(table, tx.partyKey);
    if (planned) tx.plan = planned;
    this.txs.set(tx.referenceId, tx);
    this.index(tx);

    const mode = settings.approval;
    // Only the payer of a collection approves, on the handset or after the delay. Nobody approves
    // a transfer, deposit or refund: MTN makes those final at once, so the sandbox does too (#16).
    // Each path stores the transaction once: pending as it is, or final with its money moved.
    if (planned === 'pending') this.store.saveTransaction(tx);
    else if (!COLLECTIONS.has(tx.kind)) this.finish(tx, planned?.fail);
    else if (mode === 'handset' && !planned) {
      tx.awaitingHandset = true;
      this.queueOnHandset(tx);
      this.schedule(tx, now + settings.approvalTimeoutS * 1000);
      this.store.saveTransaction(tx);
    } else if (mode === 'delay' && settings.approvalDelayMs > 0) {
      this.schedule(tx, now + settings.approvalDelayMs);
      this.store.saveTransaction(tx);
    } else {
      this.finish(tx, planned?.fail);
    }
    return tx;
  }

  private queueOnHandset(tx: Transaction): void {
    let queue = this.handset.get(tx.partyKey);
    if (!queue) this.handset.set(tx.partyKey, (queue = new Set()));
    queue.add(tx);
  }

  /** A delivery notification was sent for it (one is allowed per transaction). */
  markNotified(tx: Transaction): void {
    tx.notified = true;
    this.store.saveTransaction(tx);
  }

  /** The status GET's body, which is also the callback's body. Absent fields are left out. */
  resultBody(tx: Transaction): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    if (tx.financialTransactionId) body.financialTransactionId = tx.financialTransactionId;
    if (tx.externalId !== undefined) body.externalId = tx.externalId;
    body.amount = tx.amount;
    body.currency = tx.currency;
    body[COLLECTIONS.has(tx.kind) ? 'payer' : 'payee'] = { partyIdType: tx.party.partyIdType, partyId: tx.party.partyId };
    if (tx.payerMessage !== undefined) body.payerMessage = tx.payerMessage;
    if (tx.payeeNote !== undefined) body.payeeNote = tx.payeeNote;
    body.status = tx.status;
    if (tx.reason) body.reason = formatReason(tx.reason, this.settings().reasonShape);
    return body;
  }

  /** The payer approved on the handset: the money moves if the wallet covers it. */
  approve(referenceId: string): Transaction | 'unknown' | 'final' {
    const tx = this.handsetTx(referenceId);
    if (typeof tx === 'string') return tx;
    this.finish(tx, undefined);
    return tx;
  }

  reject(referenceId: string): Transaction | 'unknown' | 'final' {
    const tx = this.handsetTx(referenceId);
    if (typeof tx === 'string') return tx;
    this.finish(tx, 'APPROVAL_REJECTED');
    return tx;
  }

  private handsetTx(referenceId: string): Transaction | 'unknown' | 'final' {
    const tx = this.find(referenceId, ['requesttopay', 'requesttowithdraw']);
    if (!tx || (!tx.awaitingHandset && tx.status === 'PENDING')) return 'unknown';
    return tx.awaitingHandset && tx.status === 'PENDING' ? tx : 'final';
  }

  /** Requests waiting for `partyKey`'s approval, oldest first, after settling any that timed out. */
  pendingFor(partyKey: string): Transaction[] {
    this.tick();
    return [...(this.handset.get(partyKey) ?? [])];
  }

  /** The payment a refund gives back, whatever its state. */
  original(refund: Transaction): Transaction | undefined {
    return refund.referenceIdToRefund === undefined ? undefined : this.txs.get(refund.referenceIdToRefund);
  }

  /** Every transaction of one party (payer of a collection, payee otherwise), oldest first. */
  forParty(partyKey: string): Transaction[] {
    this.tick();
    return [...(this.byParty.get(partyKey) ?? [])];
  }

  private index(tx: Transaction): void {
    const list = this.byParty.get(tx.partyKey);
    if (list) list.push(tx);
    else this.byParty.set(tx.partyKey, [tx]);
  }

  list(): Transaction[] {
    this.tick();
    return [...this.txs.values()];
  }

  get size(): number {
    return this.txs.size;
  }

  /** One commit: the final status, the money moved (a refund's original too) and the callback made due. */
  private finish(tx: Transaction, failure: string | undefined): void {
    this.store.atomically(() => this.finishNow(tx, failure));
  }

  private finishNow(tx: Transaction, failure: string | undefined): void {
    let reason = failure;
    if (!reason) reason = this.moveMoney(tx);
    tx.status = reason ? 'FAILED' : 'SUCCESSFUL';
    if (reason) tx.reason = reason;
    else {
      tx.balanceAfterMinor = this.wallets.customer(tx.partyKey, tx.currency);
      // Deposits carry no financialTransactionId in the observed sandbox answer (§4.1).
      if (tx.kind !== 'deposit') tx.financialTransactionId = String(this.nextFinancialId++);
    }
    tx.finishedAt = this.clock.now();
    tx.deadline = null;
    if (tx.awaitingHandset) {
      tx.awaitingHandset = false;
      const queue = this.handset.get(tx.partyKey);
      queue?.delete(tx);
      if (queue?.size === 0) this.handset.delete(tx.partyKey);
    }
    if (tx.callback) this.callbacks.send(tx.callback, this.resultBody(tx), tx.operation, () => this.store.saveTransaction(tx));
    this.store.saveTransaction(tx);
  }

  /** Moves the money at finalisation; returns the failure reason when it cannot. */
  private moveMoney(tx: Transaction): string | undefined {
    if (COLLECTIONS.has(tx.kind)) {
      return this.wallets.collect(tx.partyKey, 'collection', tx.currency, tx.amountMinor) ? undefined : 'NOT_ENOUGH_FUNDS';
    }
    if (tx.kind === 'refund') {
      const original = this.txs.get(tx.referenceIdToRefund!);
      if (!original || original.status !== 'SUCCESSFUL') return 'NOT_ALLOWED';
      if (original.currency !== tx.currency) return 'INVALID_CURRENCY';
      if (original.refundedMinor + tx.amountMinor > original.amountMinor) return 'NOT_ALLOWED';
      if (!this.wallets.pay('disbursement', tx.partyKey, tx.currency, tx.amountMinor)) return 'NOT_ENOUGH_FUNDS';
      original.refundedMinor += tx.amountMinor;
      this.store.saveTransaction(original);
      return undefined;
    }
    return this.wallets.pay(tx.product, tx.partyKey, tx.currency, tx.amountMinor) ? undefined : 'NOT_ENOUGH_FUNDS';
  }

  /** A deadline passed: an unanswered handset request fails as MTN's 5-minute window does. */
  private expire(tx: Transaction): void {
    const plan = tx.plan;
    this.finish(tx, tx.awaitingHandset ? 'COULD_NOT_PERFORM_TRANSACTION' : plan && plan !== 'pending' ? plan.fail : undefined);
  }

  private schedule(tx: Transaction, at: number): void {
    tx.deadline = at;
    this.deadlines.push(at, tx);
    if (at < this.armedFor) this.arm();
  }

  /** Settles every transaction whose deadline has passed, then re-arms the single timer. */
  tick(): void {
    const now = this.clock.now();
    for (let due = this.deadlines.popDue(now); due; due = this.deadlines.popDue(now)) {
      // Entries of transactions that finished early (handset answers) are skipped here.
      if (due.item.status === 'PENDING' && due.item.deadline === due.at) this.expire(due.item);
    }
    this.arm();
  }

  private arm(): void {
    const next = this.deadlines.peek();
    if (this.timer) this.timers.cancel(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
    if (!next) return;
    this.armedFor = next.at;
    this.timer = this.timers.after(next.at - this.clock.now(), () => {
      this.timer = null;
      this.tick();
    });
  }

  clear(): void {
    this.txs.clear();
    this.handset.clear();
    this.byParty.clear();
    this.deadlines.clear();
    this.arm();
  }
}
