// The operator console at /admin: sign-in, Today, Orders (with its JSON, GET /api/orders),
// one order with its movements and timeline, Needs attention, People, the audit log, and the
// person's own account (API keys, second factor). Pages are EJS in views/admin; every role is
// checked on the server, every form carries a CSRF token, every action is audited.
import express, { type Request, type Response } from 'express';
import type { Accounts } from '../accounts';
import { ROLES, allows, type Caller, type Role } from '../accounts';
import { compareBalances, ORDER_STATUSES, type Backoffice, type CatalogueDesk, type ExpectedBalance, type OrderListRow } from '../backoffice';
import type { Config } from '../config';
import { DomainError } from '../domain-error';
import { shortId } from '../uuid';
import { actionContext, callerOf, requireRole, sessionCookie, sessionIdOf, type GuardOptions } from './admin-auth';
import { CSRF_FIELD, type Csrf } from './csrf';
import { ApiError, toApiError } from './errors';
import { uuid } from './fields';
import { mountCataloguePages } from './console/catalogue-pages';
import { helpers, phone, statusWord } from './console/format';
import { mountRefundPages, refundFormLocals, type RefundDesk } from './console/refund-pages';

export interface ConsoleDeps {
  config: Config;
  accounts: Accounts;
  backoffice: Backoffice;
  /** Sellers and products, changed through the catalogue and audited. */
  catalogueDesk: CatalogueDesk;
  /** What the books expect MoMo's collection and disbursement accounts to hold, shown beside MoMo's own. */
  expectedMomo: () => Promise<ExpectedBalance[]>;
  csrf: Csrf;
  /** Refunds (the refunds room, through its door): the order page's form, approval, Needs attention. */
  refunds?: RefundDesk;
}

// A comment line now and then keeps proxies from closing an idle event stream.
const keepAliveMs = 20_000;
const MAX_LIVE_IDS = 100;

const NAV: { href: string; label: string; role: Role }[] = [
  { href: '/admin', label: 'Today', role: 'viewer' },
  { href: '/admin/orders', label: 'Orders', role: 'viewer' },
  { href: '/admin/attention', label: 'Needs attention', role: 'viewer' },
  { href: '/admin/refunds', label: 'Refunds to approve', role: 'viewer' },
  { href: '/admin/sellers', label: 'Sellers', role: 'viewer' },
  { href: '/admin/products', label: 'Products', role: 'viewer' },
  { href: '/admin/people', label: 'People', role: 'owner' },
  { href: '/admin/audit', label: 'Audit log', role: 'owner' },
  { href: '/admin/account', label: 'My account', role: 'viewer' },
];

/** An order list row as the console and GET /api/orders show it: the phone masked. */
function orderRowJson(row: OrderListRow) {
  return {
    id: row.id,
    createdAt: new Date(row.createdAt).toISOString(),
    status: row.status,
    product: { id: row.productId, name: row.productName },
    seller: { id: row.sellerId, name: row.sellerName },
    qty: row.qty,
    amountMinor: row.amountMinor,
    amount: helpers.money(row.amountMinor, row.currency),
    currency: row.currency,
    sellerAmountMinor: row.sellerAmountMinor,
    platformAmountMinor: row.platformAmountMinor,
    phone: phone(row.payerMsisdn),
    collectionStatus: row.collectionStatus,
    payoutStatus: row.payoutStatus,
  };
}

const queryOf = (req: Request) => req.query as Record<string, unknown>;
// A posted form's fields, unchecked: each use narrows the one it reads.
const bodyOf = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

export function createConsoleRouter({ config, accounts, backoffice, catalogueDesk, expectedMomo, csrf, refunds }: ConsoleDeps): express.Router {
  const router = express.Router();
  const cookie = sessionCookie(config);
  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, secure: cookie.secure, path: '/' };

  function render(req: Request, res: Response, view: string, locals: Record<string, unknown>, status = 200): void {
    const caller = callerOf(res);
    res
      .status(status)
      .set('Cache-Control', 'no-store')
      .render(`admin/${view}`, {
        ...helpers,
        caller,
        nav: caller ? NAV.filter((item) => allows(caller.role, item.role)) : [],
        path: req.path,
        csrfField: CSRF_FIELD,
        csrfToken: csrf.token(req, res),
        error: null,
        ...locals,
      });
  }

  /**
   * A console page or form for `role` and up. A browser with no session is sent to sign in
   * (a GET) and an owner who must set up a second factor to do so; everything else is the
   * shared guard's: 401, or 403 written to the audit log.
   */
  function page(role: Role, options: GuardOptions = {}) {
    const guard = requireRole(role, config.adminToken, options);
    return (req: Request, res: Response, next: express.NextFunction) => {
      const caller = callerOf(res);
      if (req.method === 'GET' && !caller) {
        res.redirect(303, `/admin/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      if (req.method === 'GET' && caller?.mustEnrol && req.path !== '/admin/account/two-factor') {
        res.redirect(303, '/admin/account/two-factor');
        return;
      }
      guard(req, res, next);
    };
  }

  const viewer = page('viewer');
  const owner = page('owner', { auditsItself: true });
  const operatorAction = page('operator', { auditsItself: true });
  const selfAction = page('viewer', { auditsItself: true });
  // An owner without the required second factor may still set it up and sign out.
  const enrolment = (req: Request, res: Response, next: express.NextFunction) => {
    if (!callerOf(res)) {
      if (req.method === 'GET') res.redirect(303, '/admin/sign-in');
      else next(new ApiError(401, 'unauthorized', 'Sign in first'));
      return;
    }
    next();
  };

  // ---- Signing in and out ------------------------------------------------------------

  const safeNext = (value: unknown) => (typeof value === 'string' && /^\/admin(\/[\w\-./?=&%]*)?$/.test(value) && !value.startsWith('//') ? value : '/admin');

  router.get('/admin/sign-in', (req, res) => {
    // A seller signed in on this browser is nobody here: they get the form, not a loop to a 403.
    if (callerOf(res) && !callerOf(res)!.mustEnrol && callerOf(res)!.role !== 'seller') {
      res.redirect(303, safeNext(req.query.next));
      return;
    }
    render(req, res, 'sign-in', { title: 'Sign in', next: safeNext(req.query.next), email: '' });
  });

  router.post('/admin/sign-in', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await accounts.signIn({
      email: body.email,
      password: body.password,
      code: body.code,
      address: req.ip ?? null,
      previousSessionId: sessionIdOf(res) ?? ((req.cookies as Record<string, unknown> | undefined)?.[cookie.name] as string | undefined) ?? null,
    });
    if (!result.ok) {
      const throttled = result.reason === 'throttled';
      if (throttled) res.set('Retry-After', String(result.retryAfterS));
      render(req, res, 'sign-in', {
        title: 'Sign in',
        next: safeNext(body.next),
        email: typeof body.email === 'string' ? body.email.slice(0, 254) : '',
        // One answer for an unknown email, a wrong password, a wrong code and a disabled person.
        error: throttled
          ? `Too many tries. Wait ${result.retryAfterS} seconds, then try again.`
          : 'That email, password and code do not match an active account.',
      }, throttled ? 429 : 401);
      return;
    }
    res.cookie(cookie.name, result.sessionId, cookieOptions);
    res.redirect(303, result.mustEnrol ? '/admin/account/two-factor' : safeNext(body.next));
  });

  router.post('/admin/sign-out', enrolment, async (req, res) => {
    const sessionId = sessionIdOf(res);
    if (sessionId) await accounts.signOut(actionContext(req, res), sessionId);
    res.clearCookie(cookie.name, cookieOptions);
    res.redirect(303, '/admin/sign-in');
  });

  // ---- Today, orders, attention ------------------------------------------------------

  router.get('/admin', viewer, async (req, res) => {
    const health = await backoffice.health();
    // Without the database Today still answers, to say so; MoMo's side is shown either way.
    const balances = health.balances && health.database ? compareBalances(health.balances, await expectedMomo()) : null;
    render(req, res, 'today', { title: 'Today', health, balances, today: health.database ? await backoffice.today() : null });
  });

  async function orderListLocals(req: Request) {
    const query = queryOf(req);
    const filters = new Map<string, string>();
    for (const key of ['status', 'seller', 'product', 'from', 'to', 'q']) {
      const value = query[key];
      if (typeof value === 'string' && value !== '') filters.set(key, value);
    }
    const nextQuery = (cursor: string) => {
      const params = new URLSearchParams([...filters.entries(), ['cursor', cursor]]);
      return `/admin/orders?${params.toString()}`;
    };
    return { filters, nextQuery, statuses: ORDER_STATUSES, choices: await backoffice.filterChoices() };
  }

  router.get('/admin/orders', viewer, async (req, res) => {
    const locals = await orderListLocals(req);
    try {
      const page = await backoffice.listOrders(queryOf(req));
      render(req, res, 'orders', { title: 'Orders', ...locals, page });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      render(req, res, 'orders', { title: 'Orders', ...locals, page: { orders: [], next: null }, error: error.message }, 400);
    }
  });

  router.get('/api/orders', requireRole('viewer', config.adminToken), async (req, res) => {
    const page = await backoffice.listOrders(queryOf(req));
    res.set('Cache-Control', 'no-store').json({ orders: page.orders.map(orderRowJson), next: page.next });
  });

  // The order list, live: the ids on screen are watched, and each change sends the order's
  // new status (the page updates that row in place).
  router.get('/admin/orders/live', viewer, (req, res) => {
    // `?ids=a,b` (or `?ids=a&ids=b`); any other shape holds no ids.
    const raw = req.query.ids;
    const ids = (typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.filter((id) => typeof id === 'string').join(',') : '')
      .split(',')
      .filter((id) => uuid.safeParse(id).success)
      .slice(0, MAX_LIVE_IDS);
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const unwatch = ids.map((id) =>
      // The change notice must not wait for the read; a read that fails (the database closing)
      // only costs the page this one update.
      backoffice.watch(id, () => {
        backoffice.order(id).then((detail) => {
          if (detail) res.write(`data: ${JSON.stringify({ id, status: detail.order.status, statusWord: statusWord(detail.order.status), payoutStatus: detail.order.payoutStatus })}\n\n`);
        }, () => undefined);
      }),
    );
    const keepAlive = setInterval(() => res.write(': still here\n\n'), keepAliveMs);
    req.on('close', () => {
      for (const stop of unwatch) stop();
      clearInterval(keepAlive);
    });
  });

  async function orderLocals(req: Request, res: Response) {
    const parsed = uuid.safeParse(req.params.id);
    const detail = parsed.success ? await backoffice.order(parsed.data) : undefined;
    if (!detail) throw new ApiError(404, 'order_not_found', 'No order with this id');
    const caller = callerOf(res)!;
    return {
      detail,
      // A failed payout can be sent again; one waiting for funds can be sent now, after a top-up.
      canRetry: allows(caller.role, 'operator') && (detail.order.status === 'payout_failed' || detail.order.payoutStatus === 'waiting_funds'),
      // A refund still open keeps the page live (public/js/console-order.js).
      final: ['settled', 'failed', 'payout_failed'].includes(detail.order.status) && !((await refunds?.ofOrder(detail.order.id)) ?? []).some((r) => r.state === 'pending_approval' || r.state === 'approved'),
      refunding: refunds ? await refundFormLocals(refunds, caller, detail.order.id) : null,
    };
  }

  router.get('/admin/orders/:id', viewer, async (req, res) => {
    const locals = await orderLocals(req, res);
    render(req, res, 'order', { title: `Order ${shortId(locals.detail.order.id)}`, ...locals });
  });

  // The live part of the order page, fetched by public/js/console-order.js on each change.
  router.get('/admin/orders/:id/live', viewer, async (req, res) => {
    render(req, res, 'partials/order-live', await orderLocals(req, res));
  });

  router.post('/admin/orders/:id/retry-payout', operatorAction, async (req, res) => {
    const id = uuid.safeParse(req.params.id);
    if (!id.success) throw new ApiError(404, 'order_not_found', 'No order with this id');
    await backoffice.retryPayout(actionContext(req, res), id.data);
    res.redirect(303, bodyOf(req).back === 'attention' ? '/admin/attention' : `/admin/orders/${id.data}`);
  });

  router.get('/admin/attention', viewer, async (req, res) => {
    const caller = callerOf(res)!;
    const lists = await backoffice.attention();
    // Each payment that arrived against a failed order, with what is left to give back of it.
    const paidAfterFailure = [];
    for (const o of lists.paidAfterFailure) {
      const can = await refunds?.refundable(o.id);
      paidAfterFailure.push({ ...o, refundableMinor: can?.fromSuspense ? can.amountMinor : 0 });
    }
    render(req, res, 'attention', {
      title: 'Needs attention',
      lists: { ...lists, paidAfterFailure },
      canRetry: allows(caller.role, 'operator'),
      // Money that arrived against a failed order is refunded whole in one click.
      canRefund: refunds !== undefined && allows(caller.role, 'operator'),
    });
  });

  // A reconciliation difference settled with a note (the books keep the item and the note).
  router.post('/admin/reconciliation-items/:id/resolve', operatorAction, async (req, res) => {
    await backoffice.resolveDifference(actionContext(req, res), String(req.params.id), bodyOf(req).note);
    res.redirect(303, '/admin/attention');
  });

  mountCataloguePages(router, { config, desk: catalogueDesk, accounts, render, viewer, operator: operatorAction, owner });

  if (refunds) {
    mountRefundPages(router, {
      desk: refunds,
      render,
      viewer,
      operator: operatorAction,
      order: (orderId) => backoffice.order(orderId),
      renderOrder: async (req, res, extra, status) => {
        const locals = await orderLocals(req, res);
        render(req, res, 'order', { title: `Order ${shortId(locals.detail.order.id)}`, ...locals, refunding: locals.refunding && { ...locals.refunding, ...extra } }, status);
      },
    });
  }

  // ---- People (owners) ---------------------------------------------------------------

  const peopleLocals = async () => ({ title: 'People', people: await accounts.people(), roles: ROLES, added: null, reset: null });

  router.get('/admin/people', owner, async (req, res) => render(req, res, 'people', await peopleLocals()));

  async function peopleAction(req: Request, res: Response, act: () => Promise<Record<string, unknown>> | Record<string, unknown>): Promise<void> {
    try {
      const shown = await act();
      render(req, res, 'people', { ...(await peopleLocals()), ...shown });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      render(req, res, 'people', { ...(await peopleLocals()), error: error.message, form: req.body ?? {} }, toApiError(error).status);
    }
  }

  router.post('/admin/people', owner, (req, res) =>
    peopleAction(req, res, async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      return { added: await accounts.createPerson(actionContext(req, res), { email: body.email, role: body.role, password: body.password }) };
    }),
  );

  const personId = (req: Request) => {
    const parsed = uuid.safeParse(req.params.id);
    if (!parsed.success) throw new DomainError('not_found', 'person_not_found', 'No person with this id');
    return parsed.data;
  };

  router.post('/admin/people/:id/role', owner, (req, res) => peopleAction(req, res, async () => (await accounts.changeRole(actionContext(req, res), personId(req), bodyOf(req).role), {})));
  router.post('/admin/people/:id/disable', owner, (req, res) => peopleAction(req, res, async () => (await accounts.disable(actionContext(req, res), personId(req)), {})));
  router.post('/admin/people/:id/enable', owner, (req, res) => peopleAction(req, res, async () => (await accounts.enable(actionContext(req, res), personId(req)), {})));
  router.post('/admin/people/:id/reset', owner, (req, res) =>
    peopleAction(req, res, async () => ({ reset: await accounts.resetPassword(actionContext(req, res), personId(req)) })),
  );

  // ---- The audit log (owners) --------------------------------------------------------

  function auditFilter(req: Request) {
    const query = queryOf(req);
    const str = (key: string) => (typeof query[key] === 'string' && query[key] !== '' ? query[key].slice(0, 254) : undefined);
    const dayAt = (key: string) => {
      const value = str(key);
      if (value === undefined) return undefined;
      const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
      if (Number.isNaN(at)) throw new DomainError('invalid', 'invalid_field', `${key} must be a date such as 2026-01-31`, key);
      return at;
    };
    const before = str('before');
    if (before !== undefined && !/^\d{1,15}$/.test(before)) throw new DomainError('invalid', 'invalid_field', 'before must be an entry number', 'before');
    const to = dayAt('to');
    return {
      actor: str('actor')?.toLowerCase(),
      action: str('action'),
      objectId: str('object'),
      from: dayAt('from'),
      to: to === undefined ? undefined : to + 86_400_000,
      beforeId: before === undefined ? undefined : Number(before),
    };
  }

  router.get('/admin/audit', owner, async (req, res) => {
    const filter = auditFilter(req);
    const entries = await accounts.auditLog({ ...filter, limit: 100 });
    const query = queryOf(req);
    const kept = ['actor', 'action', 'object', 'from', 'to'].filter((k) => typeof query[k] === 'string' && query[k] !== '').map((k) => [k, query[k] as string]);
    const last = entries[entries.length - 1];
    render(req, res, 'audit', {
      title: 'Audit log',
      entries,
      query: new Map(kept as [string, string][]),
      csvHref: `/admin/audit.csv?${new URLSearchParams(kept).toString()}`,
      nextHref: entries.length === 100 && last ? `/admin/audit?${new URLSearchParams([...(kept as [string, string][]), ['before', String(last.id)]]).toString()}` : null,
    });
  });

  router.get('/admin/audit.csv', owner, async (req, res) => {
    const csv = await accounts.auditCsv({ ...auditFilter(req), limit: 100_000 });
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="sokoni-audit.csv"', 'Cache-Control': 'no-store' }).send(csv);
  });

  // ---- My account: API keys, second factor -------------------------------------------

  const accountLocals = async (caller: Caller) => ({ title: 'My account', keys: caller.personId ? await accounts.apiKeys(caller.personId) : [], newKey: null, passwordChanged: false });

  router.get('/admin/account', viewer, async (req, res) => render(req, res, 'account', await accountLocals(callerOf(res)!)));

  router.post('/admin/account/api-keys', selfAction, async (req, res) => {
    const ctx = actionContext(req, res);
    try {
      const created = await accounts.createApiKey(ctx, bodyOf(req).label);
      // The key is shown on this answer only; it is never stored or shown again.
      render(req, res, 'account', { ...(await accountLocals(ctx.caller)), newKey: created.key });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      render(req, res, 'account', { ...(await accountLocals(ctx.caller)), error: error.message }, toApiError(error).status);
    }
  });

  router.post('/admin/account/api-keys/:id/revoke', selfAction, async (req, res) => {
    await accounts.revokeApiKey(actionContext(req, res), String(req.params.id));
    res.redirect(303, '/admin/account');
  });

  router.post('/admin/account/password', selfAction, async (req, res) => {
    const ctx = actionContext(req, res);
    try {
      const body = bodyOf(req);
      await accounts.changeOwnPassword(ctx, body.currentPassword, body.newPassword);
      render(req, res, 'account', { ...(await accountLocals(ctx.caller)), passwordChanged: true });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      render(req, res, 'account', { ...(await accountLocals(ctx.caller)), error: error.message }, toApiError(error).status);
    }
  });

  router.get('/admin/account/two-factor', enrolment, (req, res) => {
    const ctx = actionContext(req, res);
    render(req, res, 'two-factor', { title: 'Second factor', ...accounts.newTotpSecret(ctx) });
  });

  router.post('/admin/account/two-factor', enrolment, async (req, res) => {
    const ctx = actionContext(req, res);
    const body = bodyOf(req);
    const secret = typeof body.secret === 'string' ? body.secret : '';
    try {
      await accounts.confirmTotp(ctx, secret, body.code);
      res.redirect(303, '/admin');
    } catch (error) {
      if (!(error instanceof DomainError) || !/^[A-Z2-7]{32}$/.test(secret)) throw error;
      render(req, res, 'two-factor', { title: 'Second factor', secret, uri: null, error: error.message }, toApiError(error).status);
    }
  });

  return router;
}
