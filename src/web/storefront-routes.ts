// The shopper's pages before an order: the storefront, a product's checkout form (shown again
// with the reason by the field after a refused /pay), and the error pages in the same style.
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Catalogue, Product } from '../catalogue';
import type { Config } from '../config';
import { currencyOf, formatMoney } from '../money';
import { CSRF_FIELD, type Csrf } from './csrf';
import { ApiError, type HtmlErrorRenderer } from './errors';
import { MARKET_COUNTRY_CODES, uuid } from './fields';
import type { Pages } from './pages';

export interface StorefrontDeps {
  config: Config;
  catalogue: Catalogue;
  csrf: Csrf;
  pages: Pages;
}

export interface Storefront {
  router: express.Router;
  /** A form post to /pay was refused (4xx): show the form again with the reason by the field. */
  payFormRefused: (error: ApiError, req: Request, res: Response, next: NextFunction) => void;
  renderErrorPage: HtmlErrorRenderer;
}

/** The form's fields as the shopper typed them, and what was wrong with them. */
interface PayForm {
  qty: string;
  phone: string;
  idempotencyKey: string;
  errors: { qty?: string; phone?: string; form?: string };
  /** The same number just bought this basket: the form asks to confirm a second payment. */
  confirmRepeat?: boolean;
}

const FIELD_LABELS = { qty: 'Quantity', phone: 'Phone number' } as const;

// Readable examples for the markets most shoppers come from; others get the country code only.
const PHONE_EXAMPLES: Record<string, string> = {
  '256': '256 772 123456',
  '233': '233 24 123 4567',
  '250': '250 78 812 3456',
};

function phoneHint(targetEnvironment: string, defaultCountryCode: string | null): string {
  if (defaultCountryCode !== null) {
    return `Your MoMo number, e.g. 0772 123456: numbers without a country code are taken as +${defaultCountryCode} numbers.`;
  }
  const code = targetEnvironment === 'sandbox' ? undefined : MARKET_COUNTRY_CODES[targetEnvironment];
  if (!code) return 'Your MoMo number with its country code, without + or a leading 0, e.g. 256 772 123456.';
  const example = PHONE_EXAMPLES[code];
  return `Your MoMo number starting with the country code ${code}, without + or a leading 0${example ? `, e.g. ${example}` : ''}.`;
}

const EMPTY_FIELD: Record<string, string> = { qty: 'Enter how many you want', phone: 'Enter your MoMo phone number' };

/** "phone must start with the country code, not 0" → "Phone number must start with ...". */
function fieldMessage(field: 'qty' | 'phone', given: string, message: string): string {
  if (given.trim() === '') return EMPTY_FIELD[field]!;
  return message.startsWith(`${field} `) ? `${FIELD_LABELS[field]} ${message.slice(field.length + 1)}` : message;
}

function priceData(product: Product) {
  const currency = currencyOf(product.currency);
  return {
    price: formatMoney(product.priceMinor, product.currency),
    priceMinor: product.priceMinor,
    currency: currency.code,
    exponent: currency.exponent,
    locale: currency.locale,
  };
}

function text(value: unknown, max: number): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

export function createStorefront({ config, catalogue, csrf, pages }: StorefrontDeps): Storefront {
  const { shop, render } = pages;

  async function activeProduct(id: unknown): Promise<Product> {
    const parsed = uuid.safeParse(id);
    const product = parsed.success ? await catalogue.findForSale(parsed.data) : undefined;
    if (!product) throw new ApiError(404, 'product_not_found', 'This product is not for sale here.');
    return product;
  }

  function renderPayForm(req: Request, res: Response, product: Product, form: PayForm, status = 200): void {
    // The amount shown is the one the quantity field asks for, or none: never a guess.
    const qty = /^\s*\d{1,3}\s*$/.test(form.qty) && Number(form.qty) >= 1 && Number(form.qty) <= 100 ? Number(form.qty) : null;
    render(res, 'checkout', {
      title: `Pay for ${product.name}`,
      product: { ...product, ...priceData(product) },
      form,
      total: qty === null ? null : formatMoney(product.priceMinor * qty, product.currency),
      countryCode: config.defaultCountryCode,
      phoneHint: phoneHint(config.momo.targetEnvironment, config.defaultCountryCode),
      csrfField: CSRF_FIELD,
      csrfToken: csrf.token(req, res),
    }, status);
  }

  const router = express.Router();

  router.get('/', async (_req, res) => {
    const products = (await catalogue.listForSale()).map((p) => ({ ...p, ...priceData(p) }));
    render(res, 'storefront', { title: 'Sokoni market', products });
  });

  router.get('/products/:id', async (req, res) => {
    const product = await activeProduct(req.params.id);
    const qty = typeof req.query.qty === 'string' && /^\d{1,3}$/.test(req.query.qty) ? req.query.qty : '1';
    renderPayForm(req, res, product, { qty, phone: '', idempotencyKey: randomUUID(), errors: {} });
  });

  async function showPayFormAgain(error: ApiError, req: Request, res: Response, next: NextFunction): Promise<void> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = uuid.safeParse(body.productId);
    const product = parsed.success ? await catalogue.findProduct(parsed.data) : undefined;
    // Without a product there is no form to show again; the error page says what went wrong.
    if (!product) {
      next(error);
      return;
    }
    const qty = text(body.qty, 10);
    const phone = text(body.phone, 40);
    const field = error.field === 'qty' || error.field === 'phone' ? error.field : undefined;
    const errors: PayForm['errors'] = field ? { [field]: fieldMessage(field, field === 'qty' ? qty : phone, error.message) } : { form: error.message };
    // A refused key is spent on another basket; the next attempt needs a fresh one.
    const idempotencyKey = error.field === 'idempotencyKey' ? randomUUID() : text(body.idempotencyKey, 255) || randomUUID();
    renderPayForm(req, res, product, { qty, phone, idempotencyKey, errors, confirmRepeat: error.code === 'repeat_purchase' }, error.status);
  }

  // The pay route hands its refusal over and is done; a failure to show the form goes to Express.
  const payFormRefused = (error: ApiError, req: Request, res: Response, next: NextFunction): void => {
    showPayFormAgain(error, req, res, next).catch(next);
  };

  const renderErrorPage: HtmlErrorRenderer = (error, _req, res, fallback) => {
    res.set('Cache-Control', 'no-store').render('error', { shop, status: error.status, message: error.message }, (renderError, page) => {
      if (renderError) fallback(renderError);
      else res.type('html').send(page);
    });
  };

  return { router, payFormRefused, renderErrorPage };
}
