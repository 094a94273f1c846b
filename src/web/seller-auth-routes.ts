// The seller's way in: sign-in by MoMo number and password, the invite link that sets a password
// (and signs the seller in), sign-out, and the account page where a seller changes their payout
// number (checked with MoMo, audited, held for PAYOUT_NUMBER_HOLD_H unless an owner confirms). Sessions, throttling and CSRF are the console's: the
// accounts service signs in and keeps the session, the shared CSRF router guards every post
// under /seller, and the session cookie is the console's cookie.
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH, type Accounts } from '../accounts';
import type { CatalogueDesk } from '../backoffice';
import type { Config } from '../config';
import { DomainError } from '../domain-error';
import { actionContext, callerOf, sessionCookie, sessionIdOf } from './admin-auth';
import { time } from './console/format';
import { CSRF_FIELD, type Csrf } from './csrf';
import { ApiError, toApiError } from './errors';
import * as fields from './fields';
import { requireSeller, safeSellerNext, sellerOf } from './seller-session';

export interface SellerAuthDeps {
  config: Config;
  accounts: Accounts;
  /** The seller's own payout number is changed through the console's desk: the same checks and audit. */
  desk: CatalogueDesk;
  csrf: Csrf;
}

const bodyOf = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

export function createSellerAuthRouter({ config, accounts, desk, csrf }: SellerAuthDeps): express.Router {
  const router = express.Router();
  const cookie = sessionCookie(config);
  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, secure: cookie.secure, path: '/' };
  const msisdn = fields.msisdn(config.momo.targetEnvironment, config.defaultCountryCode);
  const signedInSeller = requireSeller(accounts, config);

  function render(req: Request, res: Response, view: string, locals: Record<string, unknown>, status = 200): void {
    res
      .status(status)
      .set('Cache-Control', 'no-store')
      .render(`seller/${view}`, { time, csrfField: CSRF_FIELD, csrfToken: csrf.token(req, res), error: null, signedIn: callerOf(res)?.role === 'seller', ...locals });
  }

  /** The cookie the browser sent, even when it named no live session: it is ended on sign-in. */
  const previousSession = (req: Request, res: Response) =>
    sessionIdOf(res) ?? ((req.cookies as Record<string, unknown> | undefined)?.[cookie.name] as string | undefined) ?? null;

  router.get('/seller/sign-in', (req, res) => {
    if (callerOf(res)?.role === 'seller') {
      res.redirect(303, safeSellerNext(req.query.next));
      return;
    }
    render(req, res, 'sign-in', { title: 'Sign in', next: safeSellerNext(req.query.next), msisdn: '' });
  });

  router.post('/seller/sign-in', async (req, res) => {
    const body = bodyOf(req);
    const typed = typeof body.msisdn === 'string' ? body.msisdn.slice(0, 32) : '';
    // A number that is not one is simply a login that matches nobody: the same answer, throttled alike.
    const parsed = msisdn.safeParse(typed);
    const result = await accounts.sellerSignIn({
      msisdn: parsed.success ? parsed.data : typed.trim(),
      password: body.password,
      address: req.ip ?? null,
      previousSessionId: previousSession(req, res),
    });
    if (!result.ok) {
      const throttled = result.reason === 'throttled';
      if (throttled) res.set('Retry-After', String(result.retryAfterS));
      render(req, res, 'sign-in', {
        title: 'Sign in',
        next: safeSellerNext(body.next),
        msisdn: typed,
        error: throttled ? `Too many tries. Wait ${result.retryAfterS} seconds, then try again.` : 'That number and password do not match a seller account.',
      }, throttled ? 429 : 401);
      return;
    }
    res.cookie(cookie.name, result.sessionId, cookieOptions);
    res.redirect(303, safeSellerNext(body.next));
  });

  router.post('/seller/sign-out', signedInSeller, async (req, res) => {
    const sessionId = sessionIdOf(res);
    if (sessionId) await accounts.signOut(actionContext(req, res), sessionId);
    res.clearCookie(cookie.name, cookieOptions);
    res.redirect(303, '/seller/sign-in');
  });

  // The token is in the path: the page is never cached, and Helmet's Referrer-Policy
  // (no-referrer) keeps it out of any request this page makes.
  const inviteLocals = (req: Request) => ({ title: 'Set your password', action: `/seller/invite/${encodeURIComponent(String(req.params.token))}`, minLength: MIN_PASSWORD_LENGTH });

  router.get('/seller/invite/:token', async (req, res) => {
    try {
      render(req, res, 'invite', { ...inviteLocals(req), invite: await accounts.invite(req.params.token) });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      render(req, res, 'invite', { ...inviteLocals(req), invite: null, error: error.message }, toApiError(error).status);
    }
  });

  router.post('/seller/invite/:token', async (req, res) => {
    try {
      const { sessionId } = await accounts.acceptInvite({ token: req.params.token, password: bodyOf(req).password, address: req.ip ?? null, previousSessionId: previousSession(req, res) });
      res.cookie(cookie.name, sessionId, cookieOptions);
      res.redirect(303, '/seller');
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // A weak password keeps the form; a used or expired link does not.
      const invite = error.field === 'password' ? await accounts.invite(req.params.token) : null;
      render(req, res, 'invite', { ...inviteLocals(req), invite, error: error.message }, toApiError(error).status);
    }
  });

  // ---- The seller's account: the payout number ------------------------------------------

  async function accountLocals(res: Response) {
    const { sellerId } = sellerOf(res);
    const seller = await desk.seller(sellerId);
    if (!seller) throw new DomainError('not_found', 'seller_not_found', 'No seller with this id');
    return { title: 'Your account', seller, number: await desk.numberState(sellerId), now: Date.now(), typed: '', changed: null as { walletName: string | null } | null };
  }

  router.get('/seller/account', signedInSeller, async (req, res) => render(req, res, 'account', await accountLocals(res)));

  router.post('/seller/account/number', signedInSeller, async (req, res) => {
    const locals = await accountLocals(res);
    const typed = typeof bodyOf(req).msisdn === 'string' ? (bodyOf(req).msisdn as string).slice(0, 32) : '';
    try {
      const parsed = fields.parseBody(z.object({ msisdn }), { msisdn: typed });
      const written = await desk.updateSeller(actionContext(req, res), locals.seller.id, { msisdn: parsed.msisdn }, 'seller.number_change');
      render(req, res, 'account', { ...(await accountLocals(res)), changed: { walletName: written.walletName ?? null } });
    } catch (error) {
      if (!(error instanceof DomainError) && !(error instanceof ApiError)) throw error;
      const api = toApiError(error);
      render(req, res, 'account', { ...locals, typed, error: api.message }, api.status);
    }
  });

  return router;
}
