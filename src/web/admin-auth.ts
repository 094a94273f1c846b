// Bearer-token guard for the merchant's routes (catalogue admin, /balance).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from './errors';

// Hashing first gives equal-length buffers, so neither the content nor the length of the
// token leaks through the comparison time.
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function requireAdmin(adminToken: string | null): RequestHandler {
  const expected = adminToken === null ? null : digest(adminToken);
  return (req, _res, next) => {
    if (expected === null) {
      next(new ApiError(503, 'admin_disabled', 'Set ADMIN_TOKEN to enable admin routes'));
      return;
    }
    const match = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '');
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      next(new ApiError(401, 'unauthorized', 'Send Authorization: Bearer <ADMIN_TOKEN>'));
      return;
    }
    next();
  };
}
