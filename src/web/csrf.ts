// CSRF protection for the storefront's form posts: the double-submit cookie of csrf-csrf. A
// page that shows a form puts the token in a hidden field and in a cookie; a post is accepted
// only when the two match and carry our HMAC. JSON requests are exempt: a cross-site page can
// only send application/json with a CORS preflight, which Sokoni never grants by default.
import { randomBytes } from 'node:crypto';
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Config } from '../config';
import { ApiError } from './errors';

export const CSRF_FIELD = '_csrf';

export interface Csrf {
  /** Parses cookies, then refuses unsafe requests without a valid token. Mount before the form routes. */
  router: express.Router;
  /** The token to put in a form's hidden field; also (re)sets the cookie. */
  token(req: Request, res: Response): string;
}

/**
 * `secret`: the tokens' HMAC key, which every instance behind one proxy must share (the store
 * keeps it: db/shared-secrets.ts); absent, one is made for this process alone.
 */
export function createCsrf(config: Config, paths: string[], secret: string = randomBytes(32).toString('hex')): Csrf {
  // Browsers refuse `Secure` cookies over plain http (other than localhost), so the cookie is
  // only Secure, and only gets the __Host- prefix that requires it, when the store is on https.
  const secure = config.publicUrl?.startsWith('https://') ?? false;
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => secret,
    // There are no sessions; the token is bound to the cookie alone, which other sites cannot set.
    getSessionIdentifier: () => '',
    cookieName: secure ? '__Host-sokoni.csrf' : 'sokoni.csrf',
    cookieOptions: { sameSite: 'lax', path: '/', secure, httpOnly: true },
    getCsrfTokenFromRequest: (req) => {
      const field = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      return typeof field === 'string' ? field : req.get('x-csrf-token');
    },
    skipCsrfProtection: (req) => req.is('application/json') === 'application/json',
  });

  const protect: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    doubleCsrfProtection(req, res, (error?: unknown) => {
      if (error) next(new ApiError(403, 'csrf_failed', 'This form has expired or did not come from this shop. Go back, reload the page and send it again.'));
      else next();
    });
  };

  const router = express.Router();
  router.use(cookieParser());
  for (const path of paths) router.post(path, protect);
  return { router, token: (req, res) => generateCsrfToken(req, res) };
}
