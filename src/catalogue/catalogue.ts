// The catalogue room: sellers and the products they sell. The web layer asks this service and
// never the database; every refusal is a DomainError whose kind the web layer maps to HTTP.
// Field syntax (types, lengths, digits) is checked by the caller before it gets here; this
// service enforces the rules that need the rest of the catalogue or of the world. What MoMo
// knows (its currencies, its wallets) comes in as functions, so this room never imports MoMo.
import * as db from '../db';
import { DomainError } from '../domain-error';
import { findCurrency } from '../money';

export type { Product, ProductInput, Seller, SellerInput, SellerNumberState } from '../db';
type Product = db.Product;
type ProductInput = db.ProductInput;
type Seller = db.Seller;
type SellerInput = db.SellerInput;

/** What MoMo says about a number: whether its wallet is active, and the holder's name. */
export interface WalletCheck {
  active: boolean;
  name: string | null;
}

/** Asks MoMo about a wallet; rejects when MoMo does not answer. */
export type VerifyWallet = (msisdn: string) => Promise<WalletCheck>;

export interface CatalogueDeps {
  sql: db.Sql;
  /** Whether the configured MoMo market takes payments in this currency. */
  acceptsCurrency: (code: string) => boolean;
  /** null: numbers are taken unchecked (SELLER_WALLET_CHECK=false). */
  verifyWallet: VerifyWallet | null;
  /** PAYOUT_NUMBER_HOLD_H in ms: how long payouts to a changed number wait for an owner's confirmation; 0 or absent: not held. */
  payoutNumberHoldMs?: number;
  clock?: () => number;
}

/** A seller as written, and the name MoMo has for the number when it was checked this time. */
export interface SellerWrite {
  seller: Seller;
  /** null when MoMo gave no name; undefined when the number was not checked (unchanged, or checks off). */
  walletName?: string | null;
}

/** What decides whether a product is for sale. */
export type Sellable = Pick<Product, 'active' | 'sellerActive' | 'currency'>;

export interface Catalogue {
  /** What a shopper may buy: active products of active sellers, in a currency MoMo takes here. */
  listForSale(): Promise<Product[]>;
  /** One product a shopper may buy, or undefined. */
  findForSale(id: string): Promise<Product | undefined>;
  /** Whether a product as read elsewhere (placing an order reads it with its order) is for sale: the same rule as `findForSale`. */
  isForSale(product: Sellable): boolean;
  /** Any product, also one not for sale (for the merchant). */
  findProduct(id: string): Promise<Product | undefined>;
  /** Every product, also those not for sale (for the console). */
  listProducts(): Promise<Product[]>;
  createProduct(input: ProductInput): Promise<Product>;
  /** Applies the given fields; the merged product must still hold together. */
  updateProduct(id: string, changes: Partial<ProductInput>): Promise<Product>;
  /**
   * A seller changes their own product (issue #15): description, price, availability. Another
   * seller's product is not found; a product an operator locked is refused.
   */
  updateOwnProduct(sellerId: string, id: string, changes: Partial<Pick<ProductInput, 'description' | 'priceMinor' | 'active'>>): Promise<Product>;
  /** An operator locks a product against its seller's changes, or unlocks it. */
  setProductLocked(id: string, locked: boolean): Promise<Product>;
  listSellers(): Promise<Seller[]>;
  findSeller(id: string): Promise<Seller | undefined>;
  /** Checks the number with MoMo first; nothing is written unless its wallet is active. */
  createSeller(input: SellerInput): Promise<SellerWrite>;
  /**
   * A new number, and the number of a seller being reactivated, is checked with MoMo first;
   * `active: false` deactivates the seller. A new number holds the seller's payouts for
   * PAYOUT_NUMBER_HOLD_H unless an owner confirms it.
   */
  updateSeller(id: string, changes: Partial<SellerInput>): Promise<SellerWrite>;
  /** When the payout number last changed and whether payouts to it are held. */
  numberState(id: string): Promise<db.SellerNumberState | undefined>;
  /** Ends the hold on a changed number (the caller checks that an owner asks); `by` names them. */
  confirmNumber(id: string, by: string): Promise<db.SellerNumberState>;
}

const notFound = () => new DomainError('not_found', 'not_found', 'No such item');

/** The currency's per-payment limits apply to the unit price, whatever the quantity later is. */
function checkPriceLimits(priceMinor: number, currency: string): void {
  const found = findCurrency(currency);
  if (!found || (priceMinor >= found.minMinor && priceMinor <= found.maxMinor)) return;
  throw new DomainError('refused', 'invalid_field', `priceMinor must be between ${found.minMinor} and ${found.maxMinor} minor units of ${currency}`, 'priceMinor');
}

const duplicate = (holder: Seller | undefined) =>
  new DomainError(
    'conflict',
    'duplicate_seller',
    holder
      ? `msisdn belongs to seller ${holder.id}${holder.active ? '' : ' (inactive: reactivate it with active: true)'}`
      : 'msisdn belongs to another active seller',
    'msisdn',
  );

// SQLite's errors, in the catalogue's words: a missing seller is a refusal of the input, and a
// database held by another writer (a seed or migration beside the server) is "try again".
async function translated<T>(write: () => Promise<T>, store: db.Sql): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof db.UnknownSellerError) throw new DomainError('refused', 'unknown_seller', 'sellerId names no seller', 'sellerId');
    if (error instanceof db.DuplicateMsisdnError) throw duplicate(await db.findSellerByMsisdn(store, error.msisdn));
    if (db.isBusyError(error)) throw new DomainError('busy', 'busy', 'The catalogue is busy; try again in a moment');
    throw error;
  }
}

export function createCatalogue(deps: CatalogueDeps): Catalogue {
  const store = deps.sql;
  const clock = deps.clock ?? Date.now;
  const holdMs = deps.payoutNumberHoldMs ?? 0;
  const forSale = (p: Sellable) => p.active && p.sellerActive && deps.acceptsCurrency(p.currency);

  function checkCurrency(currency: string): void {
    if (!deps.acceptsCurrency(currency)) {
      throw new DomainError('refused', 'currency_not_accepted', `currency ${currency} cannot be paid with MoMo in this store's market`, 'currency');
    }
  }

  /** MoMo's name for the number, once MoMo says its wallet is active; undefined when not asked. */
  async function checkWallet(msisdn: string): Promise<string | null | undefined> {
    if (deps.verifyWallet === null) return undefined;
    let wallet: WalletCheck;
    try {
      wallet = await deps.verifyWallet(msisdn);
    } catch {
      throw new DomainError('unavailable', 'momo_unavailable', 'MoMo did not answer the check of this number; nothing was saved, try again shortly', 'msisdn');
    }
    if (!wallet.active) {
      throw new DomainError('refused', 'wallet_not_active', 'msisdn is not an active MoMo wallet, so payouts to it would fail', 'msisdn');
    }
    return wallet.name;
  }

  /** Refuses a number another seller holds, before MoMo is asked about it. */
  async function checkUnique(msisdn: string, exceptId?: string): Promise<void> {
    const holder = await db.findSellerByMsisdn(store, msisdn);
    if (holder && holder.id !== exceptId) throw duplicate(holder);
  }

  return {
    listForSale: async () => (await db.listProducts(store, { activeOnly: true })).filter(forSale),
    async findForSale(id) {
      const product = await db.getProduct(store, id);
      return product && forSale(product) ? product : undefined;
    },
    isForSale: forSale,
    findProduct: (id) => db.getProduct(store, id),
    listProducts: () => db.listProducts(store),

    createProduct(input) {
      checkPriceLimits(input.priceMinor, input.currency);
      checkCurrency(input.currency);
      return translated(() => db.createProduct(store, input), store);
    },

    async updateProduct(id, changes) {
      const current = await db.getProduct(store, id);
      if (!current) throw notFound();
      // E.g. a new currency with the old price: the merged product is what must be valid.
      const currency = changes.currency ?? current.currency;
      checkPriceLimits(changes.priceMinor ?? current.priceMinor, currency);
      checkCurrency(currency);
      const product = await translated(() => db.updateProduct(store, id, changes), store);
      if (!product) throw notFound();
      return product;
    },

    updateOwnProduct(sellerId, id, changes) {
      // One transaction: an operator's lock that lands between the check and the write wins.
      return translated(() => store.transaction(async (tx) => {
        const current = await db.getProduct(tx, id);
        if (!current || current.sellerId !== sellerId) throw new DomainError('not_found', 'product_not_found', 'No product of yours with this id');
        if (current.locked) {
          throw new DomainError('refused', 'product_locked', 'The shop has locked this product, so it cannot be changed here; ask the shop to unlock it');
        }
        checkPriceLimits(changes.priceMinor ?? current.priceMinor, current.currency);
        return (await db.updateProduct(tx, id, changes))!;
      }), store);
    },

    async setProductLocked(id, locked) {
      const product = await translated(() => db.setProductLocked(store, id, locked), store);
      if (!product) throw new DomainError('not_found', 'product_not_found', 'No product with this id');
      return product;
    },

    listSellers: () => db.listSellers(store),
    findSeller: (id) => db.getSeller(store, id),

    async createSeller(input) {
      await checkUnique(input.msisdn);
      const walletName = await checkWallet(input.msisdn);
      const seller = await translated(() => db.createSeller(store, input), store);
      return walletName === undefined ? { seller } : { seller, walletName };
    },

    async updateSeller(id, changes) {
      const current = await db.getSeller(store, id);
      if (!current) throw notFound();
      const newNumber = changes.msisdn !== undefined && changes.msisdn !== current.msisdn ? changes.msisdn : undefined;
      if (newNumber !== undefined) await checkUnique(newNumber, id);
      // Reactivating asks MoMo again too: a wallet closed since the seller was added would fail every payout.
      const reactivated = changes.active === true && !current.active;
      const asked = newNumber ?? (reactivated ? current.msisdn : undefined);
      const walletName = asked !== undefined ? await checkWallet(asked) : undefined;
      // MoMo was asked above, before the transaction: a transaction never waits on the network.
      const seller = await translated(() => store.transaction(async (tx) => {
        const written = await db.updateSeller(tx, id, changes);
        if (written && newNumber !== undefined) {
          const now = clock();
          await db.markNumberChanged(tx, id, now, holdMs > 0 ? now + holdMs : null);
        }
        return written;
      }), store);
      if (!seller) throw notFound();
      return walletName === undefined ? { seller } : { seller, walletName };
    },

    numberState: (id) => db.sellerNumberState(store, id),

    async confirmNumber(id, by) {
      if (!(await db.getSeller(store, id))) throw notFound();
      await translated(() => db.confirmSellerNumber(store, id, by, clock()), store);
      return (await db.sellerNumberState(store, id))!;
    },
  };
}
