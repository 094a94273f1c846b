// The catalogue room: sellers and the products they sell. The web layer asks this service and
// never the database; every refusal is a DomainError whose kind the web layer maps to HTTP.
// Field syntax (types, lengths, digits) is checked by the caller before it gets here; this
// service enforces the rules that need the rest of the catalogue or of the world.
import * as db from '../db';
import { DomainError } from '../domain-error';
import { findCurrency } from '../money';

export type { Product, ProductInput, Seller, SellerInput } from '../db';
type Product = db.Product;
type ProductInput = db.ProductInput;
type Seller = db.Seller;
type SellerInput = db.SellerInput;

export interface CatalogueDeps {
  db: db.Database;
}

export interface Catalogue {
  /** What a shopper may buy: active products, ordered by name. */
  listForSale(): Product[];
  /** One product a shopper may buy, or undefined. */
  findForSale(id: string): Product | undefined;
  /** Any product, also an inactive one (for the merchant). */
  findProduct(id: string): Product | undefined;
  createProduct(input: ProductInput): Product;
  /** Applies the given fields; the merged product must still hold together. */
  updateProduct(id: string, changes: Partial<ProductInput>): Product;
  listSellers(): Seller[];
  findSeller(id: string): Seller | undefined;
  createSeller(input: SellerInput): Seller;
  updateSeller(id: string, changes: Partial<SellerInput>): Seller;
}

const notFound = () => new DomainError('not_found', 'not_found', 'No such item');

/** The currency's per-payment limits apply to the unit price, whatever the quantity later is. */
function checkPriceLimits(priceMinor: number, currency: string): void {
  const found = findCurrency(currency);
  if (!found || (priceMinor >= found.minMinor && priceMinor <= found.maxMinor)) return;
  throw new DomainError('refused', 'invalid_field', `priceMinor must be between ${found.minMinor} and ${found.maxMinor} minor units of ${currency}`, 'priceMinor');
}

// SQLite's errors, in the catalogue's words: a missing seller is a refusal of the input, and a
// database held by another writer (a seed or migration beside the server) is "try again".
function translated<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (error instanceof db.UnknownSellerError) throw new DomainError('refused', 'unknown_seller', 'sellerId names no seller', 'sellerId');
    if (db.isBusyError(error)) throw new DomainError('busy', 'busy', 'The catalogue is busy; try again in a moment');
    throw error;
  }
}

export function createCatalogue(deps: CatalogueDeps): Catalogue {
  const store = deps.db;

  return {
    listForSale: () => db.listProducts(store, { activeOnly: true }),
    findForSale(id) {
      const product = db.getProduct(store, id);
      return product?.active ? product : undefined;
    },
    findProduct: (id) => db.getProduct(store, id),

    createProduct(input) {
      checkPriceLimits(input.priceMinor, input.currency);
      return translated(() => db.createProduct(store, input));
    },

    updateProduct(id, changes) {
      const current = db.getProduct(store, id);
      if (!current) throw notFound();
      // E.g. a new currency with the old price: the merged product is what must be valid.
      checkPriceLimits(changes.priceMinor ?? current.priceMinor, changes.currency ?? current.currency);
      const product = translated(() => db.updateProduct(store, id, changes));
      if (!product) throw notFound();
      return product;
    },

    listSellers: () => db.listSellers(store),
    findSeller: (id) => db.getSeller(store, id),
    createSeller: (input) => translated(() => db.createSeller(store, input)),

    updateSeller(id, changes) {
      const seller = translated(() => db.updateSeller(store, id, changes));
      if (!seller) throw notFound();
      return seller;
    },
  };
}
