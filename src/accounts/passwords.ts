// Passwords: argon2id (the library's default algorithm, with OWASP's minimum parameters:
// 19 MiB, 2 passes) in the PHC string format, so the parameters travel with each hash.
import { hash, verify } from '@node-rs/argon2';
import { DomainError } from '../domain-error';

export const MIN_PASSWORD_LENGTH = 12;
// Long enough for any passphrase, short enough that nobody can make us hash a megabyte.
export const MAX_PASSWORD_LENGTH = 256;

export function checkPassword(password: unknown, field = 'password'): string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    throw new DomainError('invalid', 'weak_password', `${field} must be at least ${MIN_PASSWORD_LENGTH} characters`, field);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new DomainError('invalid', 'invalid_field', `${field} must be at most ${MAX_PASSWORD_LENGTH} characters`, field);
  }
  return password;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// An unknown email is checked against this hash, so it costs the same time as a wrong password
// and the answer's timing does not tell which emails have accounts.
let decoy: Promise<string> | undefined;

export async function passwordMatches(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) {
    decoy ??= hash('decoy password that matches nothing');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
