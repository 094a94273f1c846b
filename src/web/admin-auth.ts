// Who is calling, and may they? Operators are identified by a session cookie (the console) or
// an API key (scripts: `Authorization: Bearer sok_…`); the legacy ADMIN_TOKEN still works as an
// owner key for one release. Every guarded route names the least role it needs, and a refusal
// of someone signed in is written to the audit log. Also: the constant-time secret comparison
// that the admin and callback tokens share.
import { createHash, timingSafeEqual } from 'node:crypto';
import cookieParser from 'cookie-parser';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { allows, type Accounts, type ActionContext, type Caller, type Role } from '../accounts';
import type { Config } from '../config';
import type { Logger } from '../log';
import { ApiError } from './errors';

// Hashing first gives equal-length buffers, so neither the content nor the length of the
// token leaks through the comparison time.
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Compares a secret the client sent with ours, in time that tells nothing about either. */
export function sameSecret(given: unknown, expected: string): boolean {
  return typeof given === 'string' && timingSafeEqual(digest(given), digest(expected));
}

/** The session cookie's name: `__Host-` (which requires Secure) only under an https PUBLIC_URL. */
export function sessionCookie(config: Config): { name: string; secure: boolean } {
  const secure = config.publicUrl?.startsWith('https://') ?? false;
  return { name: secure ? '__Host-sokoni.session' : 'sokoni.session', secure };
}

interface Identified {
  caller: Caller | null;
  sessionId: string | null;
  accounts: Accounts;
  log: Logger;
  /** Whether anyone at all could sign in: otherwise the admin routes are simply not set up yet. */
  configured: () => Promise<boolean>;
}

const identifiedOf = (res: Response) => res.locals.identified as Identified | undefined;

/** The caller as identified for this request, or null. */
export function callerOf(res: Response): Caller | null {
  return identifiedOf(res)?.caller ?? null;
}

export function sessionIdOf(res: Response): string | null {
  return identifiedOf(res)?.sessionId ?? null;
}

export function actionContext(req: Request, res: Response): ActionContext {
  const caller = callerOf(res);
  if (!caller) throw new ApiError(401, 'unauthorized', 'Sign in first');
  return { caller, address: req.ip ?? null };
}

/**
 * Mounted before every other router: reads the bearer key or the session cookie once, so each
 * guard below only compares roles.
 */
export function identifyCallers({ accounts, config, log }: { accounts: Accounts; config: Config; log: Logger }): express.Router {
  const router = express.Router();
  const cookie = sessionCookie(config);
  router.use(cookieParser());
  router.use(async (req, res, next) => {
    let caller: Caller | null = null;
    let sessionId: string | null = null;
    const bearer = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '')?.[1];
    try {
      if (bearer !== undefined) {
        if (config.adminToken !== null && sameSecret(bearer, config.adminToken)) caller = accounts.adminTokenCaller();
        else if (bearer.startsWith('sok_')) caller = await accounts.apiKeyCaller(bearer);
      } else {
        const value = (req.cookies as Record<string, unknown> | undefined)?.[cookie.name];
        if (typeof value === 'string' && value.length > 0 && value.length <= 100) {
          caller = await accounts.sessionCaller(value);
          sessionId = caller ? value : null;
        }
      }
    } catch {
      // Sessions and keys live in the database: without it nobody can be recognised, and the
      // person should read why rather than a bare "something went wrong".
      next(new ApiError(503, 'database_unavailable', 'The database is not answering, so we cannot recognise you just now. Try again shortly.'));
      return;
    }
    const configured = async () => config.adminToken !== null || (await accounts.people()).length > 0;
    const identified: Identified = { caller, sessionId, accounts, log, configured };
    res.locals.identified = identified;
    next();
  });
  return router;
}

export interface GuardOptions {
  /**
   * The handler writes its own, more detailed audit entry. Otherwise the guard records every
   * unsafe request it lets through (who, what, which object, the answer's status).
   */
  auditsItself?: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Lets the request through only for a caller whose role includes `needed`. */
export function requireRole(needed: Role, adminToken: string | null, options: GuardOptions = {}): RequestHandler {
  const legacy = legacyGuard(adminToken);
  return async (req, res, next) => {
    const identified = identifiedOf(res);
    // An app assembled without identifyCallers (some tests build only the catalogue) knows
    // only the shared token.
    if (!identified) {
      legacy(req, res, next);
      return;
    }
    const { caller, accounts, log } = identified;
    if (!caller) {
      if (!(await identified.configured())) next(new ApiError(503, 'admin_disabled', 'Create an owner with npm run users:create (or set ADMIN_TOKEN) to enable admin routes'));
      else next(new ApiError(401, 'unauthorized', 'Sign in at /admin/sign-in, or send Authorization: Bearer <API key>'));
      return;
    }
    const what = `${req.method} ${req.baseUrl}${(req.route as { path?: string } | undefined)?.path ?? req.path}`;
    const objectId = typeof req.params.id === 'string' ? req.params.id.slice(0, 100) : null;
    const ctx: ActionContext = { caller, address: req.ip ?? null };
    if (caller.mustEnrol) {
      next(new ApiError(403, 'two_factor_required', 'Owners must set up a second factor first: /admin/account/two-factor'));
      return;
    }
    if (!allows(caller.role, needed)) {
      await accounts.audit(ctx, { action: 'forbidden', objectId, after: { request: what, needs: needed }, outcome: 'refused' });
      next(new ApiError(403, 'forbidden', `This needs the ${needed} role; you are ${caller.role === 'operator' ? 'an' : 'a'} ${caller.role}`));
      return;
    }
    if (!SAFE_METHODS.has(req.method) && !options.auditsItself) {
      res.once('finish', () => {
        // The answer has left; a failing write here must not take the process down with it.
        accounts
          .audit(ctx, { action: what, objectId, after: { status: res.statusCode }, outcome: res.statusCode < 400 ? 'done' : 'refused' })
          .catch((error: unknown) => log.error('audit.write_failed', { action: what, objectId, actor: caller.email, error }));
      });
    }
    next();
  };
}

function legacyGuard(adminToken: string | null): RequestHandler {
  return (req, _res, next) => {
    if (adminToken === null) {
      next(new ApiError(503, 'admin_disabled', 'Set ADMIN_TOKEN to enable admin routes'));
      return;
    }
    const match = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '');
    if (!match || !sameSecret(match[1], adminToken)) {
      next(new ApiError(401, 'unauthorized', 'Send Authorization: Bearer <ADMIN_TOKEN>'));
      return;
    }
    next();
  };
}

/**
 * The guard's old name, kept for routes being moved on other branches (the catalogue's): it now
 * lets operators and owners through, by session, API key or ADMIN_TOKEN.
 */
export function requireAdmin(adminToken: string | null): RequestHandler {
  return requireRole('operator', adminToken);
}
