// The optional second factor: RFC 6238 codes (SHA-1, 6 digits, 30 s), which every
// authenticator app reads, through otpauth. One step either side is accepted for clock drift.
import { Secret, TOTP } from 'otpauth';

const totpFor = (secret: string, label = 'operator') =>
  new TOTP({ issuer: 'Sokoni', label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app imports (as a QR code or pasted). */
export function totpUri(secret: string, email: string): string {
  return totpFor(secret, email).toString();
}

export function totpMatches(secret: string, code: unknown, now: number): boolean {
  if (typeof code !== 'string' || !/^\d{6}$/.test(code.trim())) return false;
  return totpFor(secret).validate({ token: code.trim(), timestamp: now, window: 1 }) !== null;
}

/** The code an authenticator shows at `now` (the CLI and tests use it). */
export function totpCode(secret: string, now: number): string {
  return totpFor(secret).generate({ timestamp: now });
}
