// Simulated money in integer minor units (src/money). The three product accounts (what
// `/account/balance` reports) and one wallet per customer, each per currency, opened lazily at
// the opening balance the settings give, and kept in the store once they move.
import { parseDecimal, toDecimalString } from '../money';
import type { Product } from './products';
import type { SandboxSettings } from './settings';
import type { SandboxStore } from './store';

export class Wallets {
  private readonly accounts = new Map<string, number>();
  private readonly customers = new Map<string, number>();

  constructor(
    private readonly settings: () => SandboxSettings,
    private readonly store: SandboxStore,
  ) {
    for (const b of store.balances()) (b.kind === 'account' ? this.accounts : this.customers).set(`${b.owner}:${b.currency}`, b.minor);
  }

  private opening(kind: keyof SandboxSettings['balances'], currency: string): number {
    return parseDecimal(this.settings().balances[kind], currency);
  }

  account(product: Product, currency: string): number {
    const key = `${product}:${currency}`;
    let balance = this.accounts.get(key);
    if (balance === undefined) this.accounts.set(key, (balance = this.opening(product, currency)));
    return balance;
  }

  customer(id: string, currency: string): number {
    const key = `${id}:${currency}`;
    let balance = this.customers.get(key);
    if (balance === undefined) this.customers.set(key, (balance = this.opening('payer', currency)));
    return balance;
  }

  /** A customer's balance without opening the wallet (reading it moves nothing and stores nothing). */
  peekCustomer(id: string, currency: string): number {
    return this.customers.get(`${id}:${currency}`) ?? this.opening('payer', currency);
  }

  // Only set balances are stored: one still at its opening balance is opened again from the settings.
  setAccount(product: Product, currency: string, minor: number): void {
    this.store.setBalance('account', product, currency, minor);
    this.accounts.set(`${product}:${currency}`, minor);
  }

  setCustomer(id: string, currency: string, minor: number): void {
    this.store.setBalance('customer', id, currency, minor);
    this.customers.set(`${id}:${currency}`, minor);
  }

  /** Customer → product account (collections). False when the customer cannot cover it. */
  collect(customer: string, product: Product, currency: string, minor: number): boolean {
    const from = this.customer(customer, currency);
    if (from < minor) return false;
    this.setCustomer(customer, currency, from - minor);
    this.setAccount(product, currency, this.account(product, currency) + minor);
    return true;
  }

  /** Product account → customer (transfers, deposits, refunds). False when the account cannot cover it. */
  pay(product: Product, customer: string, currency: string, minor: number): boolean {
    const from = this.account(product, currency);
    if (from < minor) return false;
    this.setAccount(product, currency, from - minor);
    this.setCustomer(customer, currency, this.customer(customer, currency) + minor);
    return true;
  }

  snapshot(): { accounts: Record<string, Record<string, string>>; customers: Record<string, Record<string, string>> } {
    // Owners are outside input (any party id, "__proto__" included): null-prototype objects keep
    // them plain keys, never a path to Object.prototype.
    const group = (map: Map<string, number>) => {
      const out = Object.create(null) as Record<string, Record<string, string>>;
      for (const [key, minor] of map) {
        const cut = key.lastIndexOf(':');
        const owner = key.slice(0, cut);
        const currency = key.slice(cut + 1);
        const balances: Record<string, string> = Object.hasOwn(out, owner) ? out[owner]! : (out[owner] = Object.create(null) as Record<string, string>);
        balances[currency] = toDecimalString(minor, currency);
      }
      return out;
    };
    return { accounts: group(this.accounts), customers: group(this.customers) };
  }

  clear(): void {
    this.accounts.clear();
    this.customers.clear();
  }
}

/** MoMo prints balances without trailing fractional zeros ("1000", "12.5"), as its docs show. */
export function balanceString(minor: number, currency: string): string {
  const text = toDecimalString(minor, currency);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
