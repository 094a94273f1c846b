// The console's Sellers and Products pages: lists (cards on a phone), a form to add one, a page
// to change one and to deactivate or reactivate it. Every change goes through the back office's
// catalogue desk (the catalogue's rules and MoMo wallet check, audited before → after); a
// refused form comes back filled in, with the reason beside its field.
import type express from 'express';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { CatalogueDesk } from '../../backoffice';
import type { Product, Seller, SellerWrite } from '../../catalogue';
import type { Config } from '../../config';
import { DomainError } from '../../domain-error';
import { currencyCodes, MoneyError, parseDecimal, toDecimalString } from '../../money';
import { actionContext, callerOf } from '../admin-auth';
import { allows, invitePath, type Accounts } from '../../accounts';
import { ApiError, toApiError } from '../errors';
import * as fields from '../fields';
import type { Guard, Render } from './page-deps';


export interface CataloguePagesDeps {
  config: Config;
  desk: CatalogueDesk;
  /** Makes sellers' invite links (audited there). */
  accounts: Accounts;
  render: Render;
  viewer: Guard;
  operator: Guard;
  owner: Guard;
}

/** A form's values as typed, to fill it in again after a refusal. */
type FormValues = Map<string, string>;

/** The first refusal, by the form field it is about ('' when it is about no one field). */
type FormErrors = Map<string, string>;

const bodyOf = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

function valuesOf(req: Request, names: readonly string[]): FormValues {
  const body = bodyOf(req);
  const values: FormValues = new Map();
  for (const name of names) {
    const value = body[name];
    if (typeof value === 'string') values.set(name, value.slice(0, 2000));
  }
  return values;
}

/** "80" or "80.5" (percent) → basis points; the form asks in percent, the catalogue keeps bps. */
function sharePercent(text: string | undefined): number {
  const match = /^\s*(\d{1,3})(?:\.(\d{1,2}))?\s*$/.exec(text ?? '');
  const bps = match ? Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0')) : Number.NaN;
  if (!(bps >= 0 && bps <= 10_000)) throw new ApiError(400, 'invalid_field', "The seller's share must be a percentage from 0 to 100, e.g. 80", 'share');
  return bps;
}

/** A price as typed in the currency's units ("45.00") → minor units. */
function priceOf(text: string | undefined, currency: string): number {
  try {
    const minor = parseDecimal(text ?? '', currency);
    if (minor > 0) return minor;
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
  }
  throw new ApiError(400, 'invalid_field', `The price must be an amount such as ${toDecimalString(4500, currency)}`, 'price');
}

const shareText = (bps: number) => (bps % 100 === 0 ? String(bps / 100) : (bps / 100).toFixed(2));

// The catalogue names its fields as the API does; the form's names differ in two places.
const FORM_FIELD = new Map([['priceMinor', 'price'], ['shareBps', 'share']]);

/** The refusal as the form shows it, and its status; anything else is thrown on. */
function refusal(error: unknown): { errors: FormErrors; status: number } {
  if (!(error instanceof ApiError) && !(error instanceof DomainError)) throw error;
  const api = toApiError(error);
  const field = api.field === undefined ? '' : FORM_FIELD.get(api.field) ?? api.field;
  return { errors: new Map([[field, api.message]]), status: api.status };
}

const SELLER_FIELDS = ['name', 'msisdn', 'share'] as const;
const PRODUCT_FIELDS = ['sellerId', 'name', 'description', 'price', 'currency'] as const;

export function mountCataloguePages(router: express.Router, { config, desk, accounts, render, viewer, operator, owner }: CataloguePagesDeps): void {
  const msisdn = fields.msisdn(config.momo.targetEnvironment, config.defaultCountryCode);
  const sellerForm = z.object({ name: fields.name(100), msisdn });
  const productForm = z.object({ sellerId: fields.uuid, name: fields.name(120), description: fields.description.default(''), currency: fields.currency });
  const canChange = (res: Response) => allows(callerOf(res)!.role, 'operator');

  const sellerInput = (req: Request) => {
    const { name, msisdn: number } = fields.parseBody(sellerForm, bodyOf(req));
    const share = bodyOf(req).share;
    return { name, msisdn: number, shareBps: sharePercent(typeof share === 'string' ? share : undefined) };
  };

  const productInput = (req: Request) => {
    const parsed = fields.parseBody(productForm, bodyOf(req));
    const price = bodyOf(req).price;
    return { ...parsed, priceMinor: priceOf(typeof price === 'string' ? price : undefined, parsed.currency) };
  };

  const idOf = (req: Request, what: 'seller' | 'product') => {
    const parsed = fields.uuid.safeParse(req.params.id);
    if (!parsed.success) throw new DomainError('not_found', `${what}_not_found`, `No ${what} with this id`);
    return parsed.data;
  };

  // ---- Sellers -----------------------------------------------------------------------

  const sellersLocals = async (res: Response) => ({
    title: 'Sellers',
    sellers: await desk.sellers(),
    canChange: canChange(res),
    values: new Map([['share', shareText(config.sellerShareBps)]]),
    errors: new Map() as FormErrors,
    shareText,
  });

  const sellerLocals = async (res: Response, seller: Seller) => ({
    title: seller.name,
    seller,
    products: (await desk.products()).filter((p) => p.sellerId === seller.id),
    canChange: canChange(res),
    values: new Map([['name', seller.name], ['msisdn', seller.msisdn], ['share', shareText(seller.shareBps)]]),
    errors: new Map() as FormErrors,
    checked: null as { typed: string; written: SellerWrite } | null,
    saved: false,
    invite: null as { link: string; expiresAt: number } | null,
    script: null as string | null,
    number: await desk.numberState(seller.id),
    login: await accounts.sellerLogin(seller.id),
    canConfirm: allows(callerOf(res)!.role, 'owner'),
    now: Date.now(),
    shareText,
  });

  const findSeller = async (req: Request) => {
    const seller = await desk.seller(idOf(req, 'seller'));
    if (!seller) throw new DomainError('not_found', 'seller_not_found', 'No seller with this id');
    return seller;
  };

  router.get('/admin/sellers', viewer, async (req, res) => render(req, res, 'sellers', await sellersLocals(res)));

  router.post('/admin/sellers', operator, async (req, res) => {
    try {
      const input = sellerInput(req);
      const written = await desk.createSeller(actionContext(req, res), input);
      // The name MoMo has for the number, beside the one typed: the operator compares them.
      // With SELLER_WALLET_CHECK=false MoMo was not asked, and the page must not say it was.
      const checked = written.walletName === undefined ? null : { typed: input.name, written };
      render(req, res, 'seller', { ...(await sellerLocals(res, written.seller)), checked, saved: true }, 201);
    } catch (error) {
      const { errors, status } = refusal(error);
      render(req, res, 'sellers', { ...(await sellersLocals(res)), values: valuesOf(req, SELLER_FIELDS), errors }, status);
    }
  });

  router.get('/admin/sellers/:id', viewer, async (req, res) => render(req, res, 'seller', await sellerLocals(res, await findSeller(req))));

  router.post('/admin/sellers/:id', operator, async (req, res) => {
    const seller = await findSeller(req);
    try {
      const input = sellerInput(req);
      const written = await desk.updateSeller(actionContext(req, res), seller.id, input);
      const checked = written.walletName === undefined ? null : { typed: input.name, written };
      render(req, res, 'seller', { ...(await sellerLocals(res, written.seller)), checked, saved: true });
    } catch (error) {
      const { errors, status } = refusal(error);
      render(req, res, 'seller', { ...(await sellerLocals(res, seller)), values: valuesOf(req, SELLER_FIELDS), errors }, status);
    }
  });

  // A single-use link for the seller to set a password, shown on this answer only (its hash is
  // all Sokoni keeps). It goes to the store's public address, else the one this page came from.
  router.post('/admin/sellers/:id/invite', operator, async (req, res) => {
    const seller = await findSeller(req);
    const { token, expiresAt } = await accounts.createInvite(actionContext(req, res), seller.id);
    const base = config.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    const invite = { link: `${base}${invitePath(token)}`, expiresAt };
    render(req, res, 'seller', { ...(await sellerLocals(res, seller)), invite, script: '/js/copy-link.js' }, 201);
  });

  // An owner vouches for a changed payout number: payouts held for it are sent now.
  router.post('/admin/sellers/:id/confirm-number', owner, async (req, res) => {
    const seller = await findSeller(req);
    await desk.confirmNumber(actionContext(req, res), seller.id);
    res.redirect(303, `/admin/sellers/${seller.id}`);
  });

  // Deactivating takes the seller's products off the storefront; what they are owed is still paid.
  for (const [path, active] of [['deactivate', false], ['reactivate', true]] as const) {
    router.post(`/admin/sellers/:id/${path}`, operator, async (req, res) => {
      const seller = await findSeller(req);
      try {
        await desk.updateSeller(actionContext(req, res), seller.id, { active }, `seller.${path}`);
      } catch (error) {
        // E.g. MoMo says the wallet is no longer active: the seller stays inactive, and the page says why.
        const { errors, status } = refusal(error);
        render(req, res, 'seller', { ...(await sellerLocals(res, seller)), errors, error: [...errors.values()][0] }, status);
        return;
      }
      res.redirect(303, `/admin/sellers/${seller.id}`);
    });
  }

  // ---- Products ----------------------------------------------------------------------

  const productsLocals = async (res: Response) => {
    const products = await desk.products();
    return {
      title: 'Products',
      products,
      sellers: await desk.sellers(),
      currencies: currencyCodes(),
      canChange: canChange(res),
      // The currency most likely wanted is the one the shop already sells in (EUR is the sandbox's).
      values: new Map([['currency', products[0]?.currency ?? 'EUR']]),
      errors: new Map() as FormErrors,
    };
  };

  const productLocals = async (res: Response, product: Product) => ({
    title: product.name,
    product,
    sellers: await desk.sellers(),
    currencies: currencyCodes(),
    canChange: canChange(res),
    values: new Map([
      ['sellerId', product.sellerId],
      ['name', product.name],
      ['description', product.description],
      ['price', toDecimalString(product.priceMinor, product.currency)],
      ['currency', product.currency],
    ]),
    errors: new Map() as FormErrors,
    saved: false,
  });

  const findProduct = async (req: Request) => {
    const product = await desk.product(idOf(req, 'product'));
    if (!product) throw new DomainError('not_found', 'product_not_found', 'No product with this id');
    return product;
  };

  router.get('/admin/products', viewer, async (req, res) => render(req, res, 'products', await productsLocals(res)));

  router.post('/admin/products', operator, async (req, res) => {
    try {
      const product = await desk.createProduct(actionContext(req, res), { ...productInput(req), active: true });
      render(req, res, 'product', { ...(await productLocals(res, product)), saved: true }, 201);
    } catch (error) {
      const { errors, status } = refusal(error);
      render(req, res, 'products', { ...(await productsLocals(res)), values: valuesOf(req, PRODUCT_FIELDS), errors }, status);
    }
  });

  router.get('/admin/products/:id', viewer, async (req, res) => render(req, res, 'product', await productLocals(res, await findProduct(req))));

  router.post('/admin/products/:id', operator, async (req, res) => {
    const product = await findProduct(req);
    try {
      const updated = await desk.updateProduct(actionContext(req, res), product.id, productInput(req));
      render(req, res, 'product', { ...(await productLocals(res, updated)), saved: true });
    } catch (error) {
      const { errors, status } = refusal(error);
      render(req, res, 'product', { ...(await productLocals(res, product)), values: valuesOf(req, PRODUCT_FIELDS), errors }, status);
    }
  });

  for (const [path, active] of [['deactivate', false], ['reactivate', true]] as const) {
    router.post(`/admin/products/:id/${path}`, operator, async (req, res) => {
      const product = await findProduct(req);
      await desk.updateProduct(actionContext(req, res), product.id, { active }, `product.${path}`);
      res.redirect(303, `/admin/products/${product.id}`);
    });
  }

  // A locked product refuses its seller's changes in the seller portal (issue #15).
  for (const [path, locked] of [['lock', true], ['unlock', false]] as const) {
    router.post(`/admin/products/:id/${path}`, operator, async (req, res) => {
      const product = await findProduct(req);
      await desk.setProductLocked(actionContext(req, res), product.id, locked);
      res.redirect(303, `/admin/products/${product.id}`);
    });
  }
}
