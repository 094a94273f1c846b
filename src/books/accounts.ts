// The chart of accounts: every account the books know, its kind, and what it stands for. An
// account is kept per currency (an entry carries its currency); a seller's payable is one
// account per seller, `seller_payable:<seller id>`.
import { DomainError } from '../domain-error';

export type AccountKind = 'asset' | 'liability' | 'income' | 'equity';

export interface AccountInfo {
  kind: AccountKind;
  name: string;
}

/** The fixed accounts. Balances are debit-positive; a liability or income account's normal balance is negative. */
export const accounts = {
  collection: { kind: 'asset', name: 'MoMo collection account: what shoppers paid in' },
  disbursement: { kind: 'asset', name: 'MoMo disbursement account: what payouts are sent from' },
  platform_revenue: { kind: 'income', name: "The platform's share of paid orders" },
  refunds_payable: { kind: 'liability', name: 'Refunds owed to shoppers' },
  suspense: { kind: 'liability', name: 'Money that moved against a failed order, until a person decides' },
  opening_equity: { kind: 'equity', name: "Opening balances and the owner's funding of the MoMo accounts" },
} as const satisfies Record<string, AccountInfo>;

export type FixedAccount = keyof typeof accounts;

export const sellerPayableKind: AccountInfo = { kind: 'liability', name: "What Sokoni owes the seller: shares of paid orders less payouts" };

const SELLER_PREFIX = 'seller_payable:';

export function sellerPayable(sellerId: string): string {
  return `${SELLER_PREFIX}${sellerId}`;
}

/** The seller of a seller-payable account code, or null for a fixed account. */
export function sellerOf(account: string): string | null {
  return account.startsWith(SELLER_PREFIX) ? account.slice(SELLER_PREFIX.length) : null;
}

export function isFixedAccount(account: string): account is FixedAccount {
  return Object.hasOwn(accounts, account);
}

export function accountInfo(account: string): AccountInfo | null {
  if (isFixedAccount(account)) return accounts[account];
  return sellerOf(account) ? sellerPayableKind : null;
}

/** Checks an account code from outside (a query, an operator journal); `field` names it in the refusal. */
export function parseAccount(value: unknown, field: string): string {
  if (typeof value === 'string' && (isFixedAccount(value) || /^seller_payable:[A-Za-z0-9-]{1,64}$/.test(value))) return value;
  const known = [...Object.keys(accounts), 'seller_payable:<seller id>'].join(', ');
  throw new DomainError('invalid', 'invalid_account', `${field} must be one of ${known}`, field);
}
