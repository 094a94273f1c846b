// The roles and what each may do. The console's three are ranked: a viewer reads, an operator
// also acts on orders, sellers and products, an owner also manages people and settings. The
// fourth, `seller`, is outside that ladder: it is bound to one seller, opens that seller's portal
// and nothing else, so it passes no console or API guard whatever that guard needs.
import type { OperatorRole, Role } from '../db';

export type { OperatorRole, Role } from '../db';

export const ROLES: readonly OperatorRole[] = ['viewer', 'operator', 'owner'];

const RANK = new Map<Role, number>(ROLES.map((role, index) => [role, index]));

/** Whether `value` is one of the console's roles (a seller is never made by naming a role). */
export function isRole(value: unknown): value is OperatorRole {
  return typeof value === 'string' && RANK.has(value as Role);
}

/** Whether someone with `role` may do what needs `needed`. A seller only ever meets a seller's need. */
export function allows(role: Role, needed: Role): boolean {
  if (role === 'seller' || needed === 'seller') return role === needed;
  return RANK.get(role)! >= RANK.get(needed)!;
}
