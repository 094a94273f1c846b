// Seller invite links: 32 random bytes in the URL, only their SHA-256 stored (like API keys, the
// token cannot be guessed, so argon2's slowness would buy nothing), single use, 72 hours.
import { createHash, randomBytes } from 'node:crypto';

export const INVITE_TTL_MS = 72 * 60 * 60_000;

/** Where a seller opens an invite. */
export const invitePath = (token: string) => `/seller/invite/${token}`;

export const newInviteToken = () => randomBytes(32).toString('base64url');

export const inviteHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** The shape of a token we made; anything else is looked up nowhere. */
export const looksLikeInviteToken = (value: unknown): value is string => typeof value === 'string' && /^[\w-]{43}$/.test(value);
