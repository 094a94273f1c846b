// The seller portal's guard. A seller signs in with the console's sessions (the same cookie,
// table, idle and maximum ages), as a person whose role is `seller`, bound to one seller. The
// guard lets such a caller through and tells the routes behind it whose portal this is; anyone
// else (nobody, or an operator, who is not a seller) is sent to the seller's sign-in page, or
// gets a 401 when asking for JSON.
import type { RequestHandler, Response } from 'express';
import type { Accounts, Caller } from '../accounts';
import type { Config } from '../config';
import { callerOf, sessionCookie } from './admin-auth';
import { ApiError } from './errors';
import { wantsJson } from './wants';

/** What `requireSeller` puts in `res.locals.seller`. */
export interface SellerLocals {
  sellerId: string;
  caller: Caller;
}

export const SELLER_SIGN_IN_PATH = '/seller/sign-in';

/** The signed-in seller of a request that passed `requireSeller`. */
export function sellerOf(res: Response): SellerLocals {
  const seller = res.locals.seller as SellerLocals | undefined;
  if (!seller) throw new Error('sellerOf used on a route that is not behind requireSeller');
  return seller;
}

/** Only paths of the portal itself may be where sign-in leads back to. */
export function safeSellerNext(value: unknown): string {
  return typeof value === 'string' && /^\/seller(\/[\w\-./?=&%]*)?$/.test(value) && !value.startsWith('//') ? value : '/seller';
}

/**
 * The guard for `/seller` pages and their JSON. The caller is the one `identifyCallers` read
 * from the session cookie; an app assembled without it (a test of the portal alone) has the
 * cookie read here, through the same accounts service.
 */
export function requireSeller(accounts: Accounts, config: Config): RequestHandler {
  const cookie = sessionCookie(config);
  return async (req, res, next) => {
    let caller: Caller | null = res.locals.identified === undefined ? null : callerOf(res);
    if (res.locals.identified === undefined) {
      const value = (req.cookies as Record<string, unknown> | undefined)?.[cookie.name];
      if (typeof value === 'string' && value.length > 0 && value.length <= 100) caller = await accounts.sessionCaller(value);
    }
    if (caller?.role === 'seller' && caller.sellerId !== undefined) {
      const seller: SellerLocals = { sellerId: caller.sellerId, caller };
      res.locals.seller = seller;
      next();
      return;
    }
    if (wantsJson(req)) {
      next(new ApiError(401, 'unauthorized', `Sign in as a seller at ${SELLER_SIGN_IN_PATH}`));
      return;
    }
    res.redirect(303, `${SELLER_SIGN_IN_PATH}?next=${encodeURIComponent(safeSellerNext(req.originalUrl))}`);
  };
}
