// The seller portal's pages at /seller (issue #15): home, sales (live), one sale, payouts with
// refunds and claw-backs, one payout, the statement (printable, or CSV), and the seller's own
// products with their edit form. Every route sits behind the seller guard and reads only
// res.locals.seller: the seller id never comes from the request, so no one reaches another
// seller's data by changing a URL. The sellers room does the reading; this file only words it.
import express, { type Request, type RequestHandler, type Response } from 'express';
import { DomainError } from '../domain-error';
import { findCurrency, formatMoney, MoneyError, parseDecimal, toDecimalString } from '../money';
import type { ProductChanges, SellerLive, SellerPortal } from '../sellers';
import { shortId } from '../uuid';
import { CSRF_FIELD, type Csrf } from './csrf';
import { ApiError, toApiError } from './errors';
import * as fields from './fields';
import type { Pages } from './pages';
import { sellerOf } from './seller-session';

export interface SellerPortalDeps {
  portal: SellerPortal;
  live: SellerLive;
  csrf: Csrf;
  pages: Pages;
  /** The seller guard: lets a signed-in seller through with res.locals.seller = { sellerId, caller }. */
  guard: RequestHandler;
}

// A comment line now and then keeps proxies and phones from closing an idle event stream.
const keepAliveMs = 20_000;

const NAV = [
  { href: '/seller', label: 'Home' },
  { href: '/seller/sales', label: 'Sales' },
  { href: '/seller/payouts', label: 'Payouts' },
  { href: '/seller/statement', label: 'Statement' },
  { href: '/seller/products', label: 'Products' },
  // The seller's login and payout number: seller-auth-routes.ts's page.
  { href: '/seller/account', label: 'Account' },
];

/** Signed amounts: a claw-back is shown as "−€2.00", never as a bare €2.00. */
export function signedMoney(minor: number, currency: string): string {
  return minor < 0 ? `−${formatMoney(-minor, currency)}` : formatMoney(minor, currency);
}

function viewHelpers(zone: string) {
  const dateTime = new Intl.DateTimeFormat('en-GB', { timeZone: zone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return {
    money: signedMoney,
    /** "2 Dec 2026, 09:15" in the shop's time zone. */
    when: (at: number) => dateTime.format(at),
    /** "2026-12-02": the local day, as a date field wants it. */
    day: (at: number) => day.format(at),
    short: shortId,
  };
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The period a list was asked for, as the form shows it again: the dates typed, kept. */
function periodValues(req: Request) {
  return { from: text(req.query.from)?.slice(0, 10) ?? '', to: text(req.query.to)?.slice(0, 10) ?? '' };
}

/** A link to the next page: the same period, the next cursor. */
function nextLink(path: string, req: Request, next: string | null, param = 'cursor'): string | null {
  if (next === null) return null;
  const params = new URLSearchParams();
  const { from, to } = periodValues(req);
  if (from) params.set('from', from);
  if (to) params.set('to', to);
  params.set(param, next);
  return `${path}?${params.toString()}`;
}

/** A price as typed in the currency's units ("45.00") → minor units, refused by its field. */
function priceOf(value: unknown, currency: string): number {
  try {
    const minor = typeof value === 'string' ? parseDecimal(value, currency) : 0;
    if (minor > 0) return minor;
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
  }
  throw new ApiError(400, 'invalid_field', `The price must be an amount such as ${toDecimalString(4500, currency)}`, 'price');
}

function productChanges(body: Record<string, unknown>, currency: string): ProductChanges {
  const description = fields.description.safeParse(body.description ?? '');
  if (!description.success) throw new ApiError(400, 'invalid_field', `The description ${description.error.issues[0]!.message}`, 'description');
  return { description: description.data, priceMinor: priceOf(body.price, currency), active: body.available === 'yes' };
}

export function createSellerPortalRouter({ portal, live, csrf, pages, guard }: SellerPortalDeps): express.Router {
  const router = express.Router();
  const helpers = viewHelpers(portal.timezone);

  const render = async (req: Request, res: Response, view: string, locals: Record<string, unknown>, status?: number) => {
    const seller = sellerOf(res);
    pages.render(res, `seller/${view}`, {
      ...helpers,
      nav: NAV,
      path: req.path,
      sellerName: await portal.sellerName(seller.sellerId),
      csrfField: CSRF_FIELD,
      csrfToken: csrf.token(req, res),
      script: null,
      ...locals,
    }, status);
  };

  /** Only the live part of a page, for public/js/seller-live.js to swap in. */
  const renderPart = (res: Response, view: string, locals: Record<string, unknown>) => {
    res.set('Cache-Control', 'no-store').render(`seller/partials/${view}`, { ...helpers, ...locals });
  };

  router.get('/seller', guard, async (req, res) => {
    const home = await portal.home(sellerOf(res).sellerId);
    if (req.query.part === 'live') renderPart(res, 'home-live', { home });
    else await render(req, res, 'home', { title: 'Your sales and payouts', home, script: '/js/seller-live.js' });
  });

  // The live stream of a seller's pages: one message when it opens and after each committed
  // change to one of their orders (a sale paid, a payout moving, a refund); the page then
  // fetches its live part again. It carries no data, so it can tell nobody anything.
  router.get('/seller/events', guard, (req, res) => {
    const { sellerId } = sellerOf(res);
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    let sent = 0;
    const send = () => res.write(`data: ${++sent}\n\n`);
    const unwatch = live.watch(sellerId, send);
    const keepAlive = setInterval(() => res.write(': still here\n\n'), keepAliveMs);
    req.on('close', () => {
      unwatch();
      clearInterval(keepAlive);
    });
    send();
  });

  router.get('/seller/sales', guard, async (req, res) => {
    const list = await portal.sales(sellerOf(res).sellerId, req.query);
    const period = periodValues(req);
    const locals = { list, period, next: nextLink('/seller/sales', req, list.next) };
    if (req.query.part === 'live') {
      renderPart(res, 'sales-live', locals);
      return;
    }
    // The first page is live: a new sale appears at its top. Older pages stay as they are.
    const params = new URLSearchParams(Object.entries(period).filter(([, value]) => value !== ''));
    params.set('part', 'live');
    const liveUrl = req.query.cursor === undefined ? `/seller/sales?${params.toString()}` : null;
    await render(req, res, 'sales', { title: 'Sales', ...locals, liveUrl, script: liveUrl ? '/js/seller-live.js' : null });
  });

  router.get('/seller/sales/:id', guard, async (req, res) => {
    const sale = await portal.sale(sellerOf(res).sellerId, String(req.params.id));
    await render(req, res, 'sale', { title: `Sale ${shortId(sale.orderId)}`, sale });
  });

  router.get('/seller/payouts', guard, async (req, res) => {
    const { sellerId } = sellerOf(res);
    const list = await portal.payouts(sellerId, req.query);
    const adjustments = await portal.adjustments(sellerId, req.query);
    await render(req, res, 'payouts', {
      title: 'Payouts',
      list,
      adjustments,
      period: periodValues(req),
      next: nextLink('/seller/payouts', req, list.next),
      olderLines: adjustments.next === null ? null : `/seller/payouts?before=${adjustments.next}#adjustments`,
    });
  });

  router.get('/seller/payouts/:id', guard, async (req, res) => {
    const payout = await portal.payout(sellerOf(res).sellerId, String(req.params.id));
    await render(req, res, 'payout', { title: `Payout for sale ${shortId(payout.orderId)}`, payout });
  });

  router.get('/seller/statement', guard, async (req, res) => {
    const statement = await portal.statement(sellerOf(res).sellerId, req.query);
    const format = text(req.query.format);
    if (format === 'csv') {
      res.status(200).set({
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="sokoni-statement-${helpers.day(statement.from)}.csv"`,
        'Cache-Control': 'no-store',
      }).send(portal.statementCsv(statement));
      return;
    }
    if (format !== undefined && format !== 'html') throw new DomainError('invalid', 'invalid_field', 'format must be csv or html', 'format');
    // The form shows the period as asked; `to` is the last day included.
    const period = { from: helpers.day(statement.from), to: helpers.day(statement.to - 1) };
    const csvLink = `/seller/statement?${new URLSearchParams({ from: period.from, to: period.to, format: 'csv' }).toString()}`;
    await render(req, res, 'statement', { title: 'Statement', statement, period, csvLink });
  });

  router.get('/seller/products', guard, async (req, res) => {
    await render(req, res, 'products', { title: 'Your products', products: await portal.products(sellerOf(res).sellerId) });
  });

  const productForm = async (req: Request, res: Response, id: string) => {
    const product = await portal.product(sellerOf(res).sellerId, id);
    return {
      title: product.name,
      product,
      values: new Map([['description', product.description], ['price', toDecimalString(product.priceMinor, product.currency)], ['available', product.active ? 'yes' : '']]),
      errors: new Map<string, string>(),
      saved: req.query.saved === '1',
    };
  };

  router.get('/seller/products/:id', guard, async (req, res) => {
    await render(req, res, 'product', await productForm(req, res, String(req.params.id)));
  });

  router.post('/seller/products/:id', guard, async (req, res) => {
    const seller = sellerOf(res);
    const form = await productForm(req, res, String(req.params.id));
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const changes = productChanges(body, form.product.currency);
      await portal.updateProduct({ caller: seller.caller, address: req.ip ?? null }, seller.sellerId, form.product.id, changes);
      res.redirect(303, `/seller/products/${form.product.id}?saved=1`);
    } catch (error) {
      if (!(error instanceof ApiError) && !(error instanceof DomainError)) throw error;
      const api = toApiError(error);
      if (api.status === 404) throw error;
      const values = new Map([['description', text(body.description)?.slice(0, 2000) ?? ''], ['price', text(body.price)?.slice(0, 40) ?? ''], ['available', body.available === 'yes' ? 'yes' : '']]);
      // The catalogue words the price's limits for the API (priceMinor, minor units); the form
      // says them in money, by its own field.
      const limits = api.field === 'priceMinor' ? findCurrency(form.product.currency) : undefined;
      const errors = limits
        ? new Map([['price', `The price must be from ${formatMoney(limits.minMinor, limits.code)} to ${formatMoney(limits.maxMinor, limits.code)}, what one MoMo payment can be`]])
        : new Map([[api.field ?? '', api.message]]);
      await render(req, res, 'product', { ...form, saved: false, values, errors }, api.status);
    }
  });

  return router;
}
