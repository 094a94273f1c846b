// The three roles and what each may do. Each role can do everything the one below it can:
// a viewer reads, an operator also acts on orders, sellers and products, an owner also manages
// people and settings.
import type { Role } from '../db';

export type { Role } from '../db';

export const ROLES: readonly Role[] = ['viewer', 'operator', 'owner'];

const RANK = new Map<Role, number>(ROLES.map((role, index) => [role, index]));

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && RANK.has(value as Role);
}

/** Whether someone with `role` may do what needs `needed`. */
export function allows(role: Role, needed: Role): boolean {
  return RANK.get(role)! >= RANK.get(needed)!;
}
