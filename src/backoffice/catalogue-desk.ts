// The console's changes to sellers and products: each goes through the catalogue's door (its
// rules, the MoMo wallet check) and is written to the audit log with what it was before and
// after, or as refused with the reason. Reads pass straight through.
import { allows, type ActionContext, type Accounts } from '../accounts';
import type { Catalogue, Product, ProductInput, Seller, SellerInput, SellerNumberState, SellerWrite } from '../catalogue';
import { DomainError } from '../domain-error';
import { databaseReader } from './database-read';

export interface CatalogueDeskOptions {
  catalogue: Catalogue;
  accounts: Accounts;
}

const CATALOGUE_DOWN = 'The database is not answering. Sellers and products cannot be shown or changed until it is back; try again shortly.';

export type CatalogueDesk = ReturnType<typeof createCatalogueDesk>;

const sellerState = (s: Seller) => ({ name: s.name, msisdn: s.msisdn, shareBps: s.shareBps, active: s.active });
const productState = (p: Product) => ({ sellerId: p.sellerId, name: p.name, description: p.description, priceMinor: p.priceMinor, currency: p.currency, active: p.active });

const notFound = (what: 'seller' | 'product') => new DomainError('not_found', `${what}_not_found`, `No ${what} with this id`);

export function createCatalogueDesk({ catalogue, accounts }: CatalogueDeskOptions) {
  const read = databaseReader(CATALOGUE_DOWN);

  /** Runs a change; a refusal by the catalogue is audited as refused (with what was asked) and thrown on. */
  async function audited<T>(ctx: ActionContext, action: string, objectType: 'seller' | 'product', objectId: string | null, before: unknown, asked: unknown, change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } catch (error) {
      if (error instanceof DomainError) {
        await accounts.audit(ctx, { action, objectType, objectId, before, after: { asked, refused: error.code }, outcome: 'refused' });
      }
      throw error;
    }
  }

  return {
    sellers: () => read(() => catalogue.listSellers()),
    seller: (id: string) => read(() => catalogue.findSeller(id)),
    products: () => read(() => catalogue.listProducts()),
    product: (id: string) => read(() => catalogue.findProduct(id)),

    /** Creates a seller once MoMo says the number's wallet is active; the name MoMo has comes back with it. */
    async createSeller(ctx: ActionContext, input: SellerInput): Promise<SellerWrite> {
      const written = await audited(ctx, 'seller.create', 'seller', null, null, input, () => catalogue.createSeller(input));
      await accounts.audit(ctx, { action: 'seller.create', objectType: 'seller', objectId: written.seller.id, after: { ...sellerState(written.seller), walletName: written.walletName } });
      return written;
    },

    /** Changes a seller; a new number is checked with MoMo first. `active: false` deactivates. */
    async updateSeller(ctx: ActionContext, id: string, changes: Partial<SellerInput>, action = 'seller.update'): Promise<SellerWrite> {
      const current = await catalogue.findSeller(id);
      if (!current) throw notFound('seller');
      const before = sellerState(current);
      const written = await audited(ctx, action, 'seller', id, before, changes, () => catalogue.updateSeller(id, changes));
      await accounts.audit(ctx, { action, objectType: 'seller', objectId: id, before, after: { ...sellerState(written.seller), walletName: written.walletName } });
      return written;
    },

    numberState: (id: string) => read(() => catalogue.numberState(id)),

    /** An owner vouches for a seller's changed payout number: payouts held for it go now. */
    async confirmNumber(ctx: ActionContext, id: string): Promise<SellerNumberState> {
      if (!allows(ctx.caller.role, 'owner') || ctx.caller.mustEnrol) {
        await accounts.audit(ctx, { action: 'seller.number_confirm', objectType: 'seller', objectId: id, outcome: 'refused', after: { refused: 'forbidden' } });
        throw new DomainError('refused', 'forbidden', 'Only an owner can confirm a payout number');
      }
      const seller = await catalogue.findSeller(id);
      if (!seller) throw notFound('seller');
      const state = await catalogue.confirmNumber(id, ctx.caller.email);
      await accounts.audit(ctx, { action: 'seller.number_confirm', objectType: 'seller', objectId: id, after: { msisdn: seller.msisdn } });
      return state;
    },

    async createProduct(ctx: ActionContext, input: ProductInput): Promise<Product> {
      const product = await audited(ctx, 'product.create', 'product', null, null, input, () => catalogue.createProduct(input));
      await accounts.audit(ctx, { action: 'product.create', objectType: 'product', objectId: product.id, after: productState(product) });
      return product;
    },

    async updateProduct(ctx: ActionContext, id: string, changes: Partial<ProductInput>, action = 'product.update'): Promise<Product> {
      const current = await catalogue.findProduct(id);
      if (!current) throw notFound('product');
      const before = productState(current);
      const product = await audited(ctx, action, 'product', id, before, changes, () => catalogue.updateProduct(id, changes));
      await accounts.audit(ctx, { action, objectType: 'product', objectId: id, before, after: productState(product) });
      return product;
    },

    /** Locks a product against its seller's changes in the portal, or unlocks it (issue #15). */
    async setProductLocked(ctx: ActionContext, id: string, locked: boolean): Promise<Product> {
      const current = await catalogue.findProduct(id);
      if (!current) throw notFound('product');
      const product = await catalogue.setProductLocked(id, locked);
      await accounts.audit(ctx, { action: locked ? 'product.lock' : 'product.unlock', objectType: 'product', objectId: id, before: { locked: current.locked }, after: { locked: product.locked } });
      return product;
    },
  };
}
