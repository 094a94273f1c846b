// What the handset shows and does, shared by its JSON API, its page and the control object.
import { toDecimalString } from '../../money';
import type { SandboxCore } from '../core';
import type { Transaction } from '../accounts';

export interface HandsetRequest {
  referenceId: string;
  operation: string;
  amount: string;
  currency: string;
  payeeNote: string | null;
  payerMessage: string | null;
  externalId: string | null;
  createdAt: string;
  expiresAt: string;
  secondsLeft: number;
}

export type HandsetAnswer =
  | { ok: true; referenceId: string; status: 'SUCCESSFUL' | 'FAILED'; reason: string | null; message: string }
  | { ok: false; status: 400 | 404 | 409; error: string };

/**
 * One SMS as MoMo sends it: to the payee on every credit, to the payer on every debit, with the
 * wallet's new balance; a refund's says which payment it gives back.
 */
export interface HandsetMessage {
  referenceId: string;
  at: string;
  direction: 'received' | 'paid';
  amount: string;
  currency: string;
  text: string;
}

export interface HandsetWallet {
  msisdn: string;
  balances: { currency: string; amount: string }[];
  /** Newest first. */
  messages: HandsetMessage[];
}

/** A MoMo PIN is 4 or 5 digits; the sandbox accepts any such PIN (6 allowed for other wallets). */
const PIN = /^\d{4,6}$/;
export const PIN_HINT = 'Enter your 4 to 6 digit PIN.';

/** What the payer reads after answering: words, never a reason code. */
function outcomeMessage(tx: Transaction): string {
  const money = `${tx.amount} ${tx.currency}`;
  if (tx.status === 'SUCCESSFUL') return `Approved. You paid ${money}${tx.payeeNote ? ` for ${tx.payeeNote}` : ''}.`;
  if (tx.reason === 'APPROVAL_REJECTED') return `Rejected. You declined to pay ${money}; no money was taken.`;
  if (tx.reason === 'NOT_ENOUGH_FUNDS') return `Not paid: your wallet does not have ${money}.`;
  if (tx.reason === 'COULD_NOT_PERFORM_TRANSACTION') return 'Not paid: the request was not answered in time.';
  return 'Not paid: MoMo could not complete this payment.';
}

/** MSISDNs are typed with or without `+`; wallets key them by digits. */
export function normaliseMsisdn(input: string): string {
  const trimmed = input.trim().replace(/[\s-]/g, '');
  return /^\+?\d+$/.test(trimmed) ? trimmed.replace(/^\+/, '') : trimmed.toLowerCase();
}

function view(tx: Transaction, now: number): HandsetRequest {
  const deadline = tx.deadline ?? now;
  return {
    referenceId: tx.referenceId,
    operation: tx.kind,
    amount: tx.amount,
    currency: tx.currency,
    payeeNote: tx.payeeNote ?? null,
    payerMessage: tx.payerMessage ?? null,
    externalId: tx.externalId ?? null,
    createdAt: new Date(tx.createdAt).toISOString(),
    expiresAt: new Date(deadline).toISOString(),
    secondsLeft: Math.max(0, Math.ceil((deadline - now) / 1000)),
  };
}

export function pendingRequests(core: SandboxCore, msisdn: string): HandsetRequest[] {
  const now = core.clock.now();
  return core.accounts.pendingFor(normaliseMsisdn(msisdn)).map((tx) => view(tx, now));
}

export function answerRequest(core: SandboxCore, referenceId: string, action: 'approve' | 'reject', pin?: unknown): HandsetAnswer {
  if (action === 'approve' && (typeof pin !== 'string' || !PIN.test(pin))) return { ok: false, status: 400, error: PIN_HINT };
  const result = action === 'approve' ? core.accounts.approve(referenceId) : core.accounts.reject(referenceId);
  if (result === 'unknown') return { ok: false, status: 404, error: 'No request with this reference id is waiting on a handset.' };
  if (result === 'final') return { ok: false, status: 409, error: 'This request is already final.' };
  return { ok: true, referenceId, status: result.status as 'SUCCESSFUL' | 'FAILED', reason: result.reason ?? null, message: outcomeMessage(result) };
}

const COLLECTIONS = new Set(['requesttopay', 'requesttowithdraw']);

/** What a refund's SMS says it gives back: the payment, its words and its external id, as MoMo names them. */
function refundOf(original: Transaction | undefined): string {
  if (!original) return ', a refund';
  const words = original.payerMessage ? ` for ${original.payerMessage}` : '';
  const id = original.externalId ? `, external id ${original.externalId}` : '';
  return `, a refund of your payment of ${original.amount} ${original.currency}${words}${id}`;
}

function sms(core: SandboxCore, tx: Transaction): HandsetMessage {
  const paid = COLLECTIONS.has(tx.kind);
  const money = `${tx.amount} ${tx.currency}`;
  const note = paid ? tx.payerMessage : tx.payeeNote;
  const refund = tx.kind === 'refund' ? refundOf(core.accounts.original(tx)) : '';
  // Stored before balances were kept with each transaction: such an SMS has no balance line.
  const balance = tx.balanceAfterMinor === undefined ? '' : ` New balance: ${toDecimalString(tx.balanceAfterMinor, tx.currency)} ${tx.currency}.`;
  const id = tx.financialTransactionId ? ` Transaction ID: ${tx.financialTransactionId}.` : '';
  return {
    referenceId: tx.referenceId,
    at: new Date(tx.finishedAt ?? tx.createdAt).toISOString(),
    direction: paid ? 'paid' : 'received',
    amount: tx.amount,
    currency: tx.currency,
    text: `${paid ? 'You have paid' : 'You have received'} ${money}${refund}.${note ? ` Message: ${note}.` : ''}${balance}${id}`,
  };
}

/** A number's wallet as its handset shows it: balances in every sandbox currency, and its SMS. */
export function walletFor(core: SandboxCore, msisdn: string): HandsetWallet {
  const key = normaliseMsisdn(msisdn);
  const currencies = [...new Set(Object.values(core.settings.currencies).flat())];
  const messages = core.accounts
    .forParty(key)
    .filter((tx) => tx.status === 'SUCCESSFUL')
    .reverse()
    .sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0))
    .map((tx) => sms(core, tx));
  return {
    msisdn: key,
    balances: currencies.map((currency) => ({ currency, amount: toDecimalString(core.wallets.peekCustomer(key, currency), currency) })),
    messages,
  };
}
