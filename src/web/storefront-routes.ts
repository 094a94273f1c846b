// The shopper's pages: the storefront, a product's checkout form, the order page and its live
// fragment, "try again" after a failed payment, and the error pages in the same style.
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { CheckoutError, type Checkout, type OrderSnapshot } from '../checkout';
import type { Catalogue, Product } from '../catalogue';
import type { Config } from '../config';
import { currencyOf, formatMoney } from '../money';
import type { CheckoutPages } from './checkout-routes';
import { CSRF_FIELD, type Csrf } from './csrf';
import { ApiError, type HtmlErrorRenderer } from './errors';
import { MARKET_COUNTRY_CODES, maskMsisdn, uuid } from './fields';
import { createOrderEventsRouter } from './order-events';
import { orderView } from './order-view';

export interface StorefrontDeps {
  config: Config;
  catalogue: Catalogue;
  checkout: Checkout;
  csrf: Csrf;
}

export interface Storefront {
  router: express.Router;
  /** Handed to the checkout router: the order page, and the form shown again after a refusal. */
  pages: CheckoutPages;
  renderErrorPage: HtmlErrorRenderer;
}

/** The form's fields as the shopper typed them, and what was wrong with them. */
interface PayForm {
  qty: string;
  phone: string;
  idempotencyKey: string;
  errors: { qty?: string; phone?: string; form?: string };
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

export function createStorefront({ config, catalogue, checkout, csrf }: StorefrontDeps): Storefront {
  const embedded = config.momo.mode === 'embedded';
  const shop = {
    sandbox: embedded,
    handset: embedded && config.sandbox.approval === 'handset',
  };

  function render(res: Response, view: string, locals: Record<string, unknown>, status = 200): void {
    // Pages hold a CSRF token and order details: never from a shared cache, nor a stale copy.
    res.status(status).set('Cache-Control', 'no-store').render(view, { shop, ...locals });
  }

  function activeProduct(id: unknown): Product {
    const parsed = uuid.safeParse(id);
    const product = parsed.success ? catalogue.findForSale(parsed.data) : undefined;
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

  function orderLocals(req: Request, res: Response, snapshot: OrderSnapshot) {
    const view = orderView(snapshot, maskMsisdn(snapshot.order.payerMsisdn), Date.now());
    return {
      order: view,
      stuck: snapshot.stuck,
      // public/js/order.js builds the same string from each event and fetches the fragment when they differ.
      signature: `${snapshot.order.status}/${snapshot.payment.status}/${snapshot.payout?.status ?? ''}/${snapshot.stuck}`,
      transactionId: snapshot.payment.financialTransactionId,
      // Only the embedded sandbox gets a link with the full number: its numbers are simulated.
      handsetUrl: shop.handset ? `/sandbox/handset?msisdn=${encodeURIComponent(snapshot.order.payerMsisdn)}` : null,
      csrfField: CSRF_FIELD,
      csrfToken: view.stage === 'failed' ? csrf.token(req, res) : '',
    };
  }

  function orderSnapshot(id: unknown): OrderSnapshot {
    const parsed = uuid.safeParse(id);
    const snapshot = parsed.success ? checkout.snapshot(parsed.data) : undefined;
    if (!snapshot) throw new ApiError(404, 'order_not_found', 'We have no order with this number.');
    return snapshot;
  }

  const router = express.Router();
  router.use(createOrderEventsRouter(checkout));

  router.get('/', (_req, res) => {
    const products = catalogue.listForSale().map((p) => ({ ...p, ...priceData(p) }));
    render(res, 'storefront', { title: 'Sokoni market', products });
  });

  router.get('/products/:id', (req, res) => {
    const product = activeProduct(req.params.id);
    const qty = typeof req.query.qty === 'string' && /^\d{1,3}$/.test(req.query.qty) ? req.query.qty : '1';
    renderPayForm(req, res, product, { qty, phone: '', idempotencyKey: randomUUID(), errors: {} });
  });

  // The live part of the order page, fetched by public/js/order.js when the order changes.
  router.get('/orders/:id/status', (req, res) => {
    const snapshot = orderSnapshot(req.params.id);
    res.set('Cache-Control', 'no-store').render('partials/order-status', { shop, ...orderLocals(req, res, snapshot) });
  });

  router.post('/orders/:id/retry', async (req, res) => {
    const snapshot = orderSnapshot(req.params.id);
    const { order } = snapshot;
    if (order.status !== 'failed') {
      res.redirect(303, `/orders/${order.id}`);
      return;
    }
    try {
      const placed = await checkout.placeOrder({
        productId: order.productId,
        qty: order.qty,
        msisdn: order.payerMsisdn,
        // Pressing "try again" twice must not ask for two payments.
        idempotencyKey: `retry:${order.id}`,
      });
      res.redirect(303, `/orders/${placed.snapshot.order.id}`);
    } catch (error) {
      if (error instanceof CheckoutError) throw new ApiError(error.status, error.code, error.message, error.field);
      throw error;
    }
  });

  const pages: CheckoutPages = {
    order(snapshot, req, res) {
      render(res, 'order', { title: `Order ${snapshot.order.id.slice(0, 8)}`, ...orderLocals(req, res, snapshot) });
    },
    payFormRefused(error: ApiError, req: Request, res: Response, next: NextFunction) {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const parsed = uuid.safeParse(body.productId);
      const product = parsed.success ? catalogue.findProduct(parsed.data) : undefined;
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
      renderPayForm(req, res, product, { qty, phone, idempotencyKey, errors }, error.status);
    },
  };

  const renderErrorPage: HtmlErrorRenderer = (error, _req, res, fallback) => {
    res.set('Cache-Control', 'no-store').render('error', { shop, status: error.status, message: error.message }, (renderError, page) => {
      if (renderError) fallback(renderError);
      else res.type('html').send(page);
    });
  };

  return { router, pages, renderErrorPage };
}
