// The audit log: who (and in which role, through what) did what to which object, from where,
// what it was before and after, and whether it was done or refused. The table is append-only
// (migration 005's triggers); this file writes entries and turns them into CSV.
import { findAudit, insertAudit, type AuditFilter, type AuditRow, type AuditVia, type Sql } from '../db';
import type { Role } from './roles';

/** Who is acting, as the web layer (or the CLI) identified them. */
export interface Caller {
  /** null for the legacy ADMIN_TOKEN and the CLI, which are nobody in particular. */
  personId: string | null;
  email: string;
  role: Role;
  via: Exclude<AuditVia, 'sign_in'>;
  /** OWNER_2FA is on and this owner has not set up a second factor: only enrolment is open. */
  mustEnrol: boolean;
  /** Set for the `seller` role only: the one seller whose portal this caller may see. */
  sellerId?: string;
}

export interface ActionContext {
  caller: Caller;
  address: string | null;
}

export interface AuditEvent {
  action: string;
  objectType?: string | null;
  objectId?: string | null;
  before?: unknown;
  after?: unknown;
  outcome?: 'done' | 'refused';
}

const asText = (value: unknown): string | null => (value === undefined || value === null ? null : typeof value === 'string' ? value : JSON.stringify(value));

// async, so that an entry that cannot be turned into text rejects like a failed write rather than throwing.
export async function writeAudit(db: Sql, ctx: ActionContext, event: AuditEvent, at: number, via: AuditVia = ctx.caller.via): Promise<number> {
  return await insertAudit(db, {
    at,
    actorId: ctx.caller.personId,
    actorEmail: ctx.caller.email,
    // A refused sign-in has no person behind it yet, so no role either.
    actorRole: via === 'sign_in' && ctx.caller.personId === null ? 'none' : ctx.caller.role,
    via,
    action: event.action,
    objectType: event.objectType ?? null,
    objectId: event.objectId ?? null,
    before: asText(event.before),
    after: asText(event.after),
    outcome: event.outcome ?? 'done',
    address: ctx.address,
  });
}

export function readAudit(db: Sql, filter: AuditFilter): Promise<AuditRow[]> {
  return findAudit(db, filter);
}

export const AUDIT_CSV_COLUMNS = ['id', 'at', 'actor_email', 'actor_role', 'via', 'action', 'object_type', 'object_id', 'before', 'after', 'outcome', 'address'] as const;

// RFC 4180 quoting, and a leading apostrophe on anything a spreadsheet would run as a formula.
function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function auditCsv(rows: readonly AuditRow[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [r.id, new Date(r.at).toISOString(), r.actorEmail, r.actorRole, r.via, r.action, r.objectType, r.objectId, r.before, r.after, r.outcome, r.address]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
