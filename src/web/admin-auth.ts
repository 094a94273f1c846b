// Bearer-token guard for the merchant's routes (catalogue admin, /balance), and the constant-time
// secret comparison that it and the callback token share.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from './errors';

// Hashing first gives equal-length buffers, so neither the content nor the length of the
// token leaks through the comparison time.
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Compares a secret the client sent with ours, in time that tells nothing about either. */
export function sameSecret(given: unknown, expected: string): boolean {
  return typeof given === 'string' && timingSafeEqual(digest(given), digest(expected));
}

export function requireAdmin(adminToken: string | null): RequestHandler {
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
