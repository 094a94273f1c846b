// Turns MoMo's answers into the typed results of types.ts. Status reads are read leniently
// (MoMo echoes numbers as strings or not, omits fields, sends `reason` in two shapes) but a
// body without a known status is refused: a payment must never be guessed at.
import { parseDecimal } from '../money';
import { invalidResponse, type HttpAnswer } from './errors';
import type { Balance, BasicUserInfo, Party, Reason, TransactionResult, TransactionStatus } from './types';

const STATUSES = new Set<TransactionStatus>(['PENDING', 'SUCCESSFUL', 'FAILED']);

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function str(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** `reason` arrives as "APPROVAL_REJECTED" or as {code, message}; both become a Reason. */
export function toReason(value: unknown): Reason | null {
  const text = str(value);
  if (text !== null) return text === '' ? null : { code: text, message: null };
  const object = record(value);
  const code = object ? str(object.code) : null;
  if (!object || !code) return null;
  return { code, message: str(object.message) };
}

function toParty(value: unknown): Party | null {
  const object = record(value);
  const type = object ? str(object.partyIdType) : null;
  const id = object ? str(object.partyId) : null;
  if (!type || id === null) return null;
  return { partyIdType: type.toUpperCase() as Party['partyIdType'], partyId: id };
}

function toMinor(amount: string, currency: string): number | null {
  try {
    return parseDecimal(amount, currency);
  } catch {
    return null;
  }
}

export function toTransactionResult(
  answer: HttpAnswer,
  operation: string,
  referenceId: string,
  partyField: 'payer' | 'payee',
): TransactionResult {
  const body = record(answer.body);
  const status = body ? str(body.status) : null;
  if (!body || !status || !STATUSES.has(status as TransactionStatus)) {
    throw invalidResponse(answer, operation, referenceId, `status read without a known status (${JSON.stringify(status)})`);
  }
  const amount = str(body.amount) ?? '';
  const currency = str(body.currency) ?? '';
  return {
    referenceId,
    status: status as TransactionStatus,
    amount,
    amountMinor: toMinor(amount, currency),
    currency,
    externalId: str(body.externalId),
    financialTransactionId: str(body.financialTransactionId),
    party: toParty(body[partyField]),
    payerMessage: str(body.payerMessage),
    payeeNote: str(body.payeeNote),
    reason: toReason(body.reason),
  };
}

export function toBalance(answer: HttpAnswer, operation: string): Balance {
  const body = record(answer.body);
  const availableBalance = body ? str(body.availableBalance) : null;
  const currency = body ? str(body.currency) : null;
  if (availableBalance === null || currency === null) throw invalidResponse(answer, operation, null, 'balance without availableBalance and currency');
  return { availableBalance, currency };
}

export function toActive(answer: HttpAnswer, operation: string): boolean {
  const body = record(answer.body);
  if (!body || typeof body.result !== 'boolean') throw invalidResponse(answer, operation, null, 'account holder answer without a boolean result');
  return body.result;
}

export function toBasicUserInfo(answer: HttpAnswer, operation: string): BasicUserInfo {
  const body = record(answer.body);
  if (!body) throw invalidResponse(answer, operation, null, 'basic user info is not an object');
  return body;
}
