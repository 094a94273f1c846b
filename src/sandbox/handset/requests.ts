// What the handset shows and does, shared by its JSON API, its page and the control object.
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
  | { ok: true; referenceId: string; status: 'SUCCESSFUL' | 'FAILED'; reason: string | null }
  | { ok: false; status: 400 | 404 | 409; error: string };

/** A MoMo PIN is 4 or 5 digits; the sandbox accepts any such PIN (6 allowed for other wallets). */
const PIN = /^\d{4,6}$/;

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
  if (action === 'approve' && (typeof pin !== 'string' || !PIN.test(pin))) return { ok: false, status: 400, error: 'PIN must be 4 to 6 digits.' };
  const result = action === 'approve' ? core.accounts.approve(referenceId) : core.accounts.reject(referenceId);
  if (result === 'unknown') return { ok: false, status: 404, error: 'No request with this reference id is waiting on a handset.' };
  if (result === 'final') return { ok: false, status: 409, error: 'This request is already final.' };
  return { ok: true, referenceId, status: result.status as 'SUCCESSFUL' | 'FAILED', reason: result.reason ?? null };
}
