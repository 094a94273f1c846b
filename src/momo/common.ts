// What the three products share: creating and reading transactions, balance and account
// holder look-ups. Each product file only names its paths.
import { toDecimalString } from '../money';
import type { CallChannel } from './channel';
import { MomoError } from './errors';
import { toActive, toBalance, toBasicUserInfo, toTransactionResult } from './results';
import type { AccountHolderIdType, Balance, BasicUserInfo, MomoProduct, Party, TransactionResult } from './types';
import { Checker } from './validate';

/** The fields of RequestToPayInput, TransferInput and RefundInput, read without trusting them. */
export interface CreateInput {
  referenceId: string;
  amountMinor: number;
  currency: string;
  externalId: string;
  payerMessage: string;
  payeeNote: string;
  callbackUrl?: string;
  payer?: Party;
  payee?: Party;
  referenceIdToRefund?: string;
}

export interface CreateTarget {
  operation: string;
  path: string;
  /** The party the body carries; null for refunds, which name the original transaction instead. */
  partyField: 'payer' | 'payee' | null;
}

export type ApiVersion = 'v1_0' | 'v2_0';

/** Some creating operations exist as v1_0 and v2_0; both are read back through v1_0. */
export function apiVersion(operation: string, value: unknown): ApiVersion {
  if (value === undefined) return 'v1_0';
  if (value === 'v1_0' || value === 'v2_0') return value;
  return new Checker(operation, null).fail('version', 'must be v1_0 or v2_0');
}

/** Validates, then POSTs; resolves to the caller's reference id once MoMo has accepted it. */
export async function createTransaction(channel: CallChannel, target: CreateTarget, input: CreateInput): Promise<string> {
  const check = new Checker(target.operation, typeof input?.referenceId === 'string' ? input.referenceId : null);
  if (typeof input !== 'object' || input === null) check.fail('input', 'is required');
  const referenceId = check.referenceIdV4(input.referenceId);
  const currency = check.currency(input.currency);
  const amountMinor = check.amount(input.amountMinor, currency);
  const body: Record<string, unknown> = {
    amount: toDecimalString(amountMinor, currency),
    currency,
    externalId: check.text(input.externalId, 'externalId'),
  };
  if (target.partyField) body[target.partyField] = check.party(input[target.partyField], target.partyField);
  else body.referenceIdToRefund = check.referenceIdV4(input.referenceIdToRefund, 'referenceIdToRefund');
  body.payerMessage = check.message(input.payerMessage, 'payerMessage');
  body.payeeNote = check.message(input.payeeNote, 'payeeNote');
  const callbackUrl = check.callbackUrl(input.callbackUrl);

  await channel.call({
    operation: target.operation,
    method: 'POST',
    path: target.path,
    referenceId,
    create: true,
    ...(callbackUrl !== undefined ? { callbackUrl } : {}),
    body,
    expect: [202],
    alreadyDoneStatus: 409,
  });
  return referenceId;
}

/** A status read; a FAILED transaction is returned with its reason, not thrown. */
export async function readTransaction(
  channel: CallChannel,
  operation: string,
  pathPrefix: string,
  referenceId: string,
  partyField: 'payer' | 'payee',
): Promise<TransactionResult> {
  const id = new Checker(operation, typeof referenceId === 'string' ? referenceId : null).referenceIdV4(referenceId);
  const answer = await channel.call({ operation, method: 'GET', path: `${pathPrefix}/${id}`, referenceId: id, expect: [200] });
  return toTransactionResult(answer, operation, id, partyField);
}

export interface AccountOperations {
  getBalance(currency?: string): Promise<Balance>;
  isAccountHolderActive(idType: AccountHolderIdType, id: string): Promise<boolean>;
  getBasicUserInfo(idType: AccountHolderIdType, id: string): Promise<BasicUserInfo>;
}

export function accountOperations(product: MomoProduct, channel: CallChannel): AccountOperations {
  return {
    async getBalance(currency) {
      const operation = `${product}.getBalance`;
      const path =
        currency === undefined
          ? `/${product}/v1_0/account/balance`
          : `/${product}/v1_0/account/balance/${new Checker(operation, null).currency(currency)}`;
      return toBalance(await channel.call({ operation, method: 'GET', path, referenceId: null, expect: [200] }), operation);
    },

    async isAccountHolderActive(idType, id) {
      const operation = `${product}.isAccountHolderActive`;
      const holder = new Checker(operation, null).accountHolder(idType, id);
      const path = `/${product}/v1_0/accountholder/${holder.idType}/${encodeURIComponent(holder.id)}/active`;
      try {
        return toActive(await channel.call({ operation, method: 'GET', path, referenceId: null, expect: [200] }), operation);
      } catch (error) {
        // MoMo's "account holder is not found" answers the question: there is no active account.
        if (error instanceof MomoError && error.status === 404 && error.code === 'RESOURCE_NOT_FOUND') return false;
        throw error;
      }
    },

    async getBasicUserInfo(idType, id) {
      const operation = `${product}.getBasicUserInfo`;
      const holder = new Checker(operation, null).accountHolder(idType, id);
      const path = `/${product}/v1_0/accountholder/${holder.idType}/${encodeURIComponent(holder.id)}/basicuserinfo`;
      return toBasicUserInfo(await channel.call({ operation, method: 'GET', path, referenceId: null, expect: [200] }), operation);
    },
  };
}
