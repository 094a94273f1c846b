// The books as a service for the web layer and the CLI: operator journals, reports, exports
// and (reconcile.ts) reconciliation. Query values arrive as they came from outside and are
// checked here, each refusal naming its field.
import type { Writable } from 'node:stream';
import type { ReconcileItemRow, Sql } from '../db';
import { DomainError } from '../domain-error';
import type { Logger } from '../log';
import type { PaymentProvider } from '../providers';
import { parseAccount } from './accounts';
import { exportNames, statementCsv, writeExport, type ExportName } from './exports';
import { Ledger, type Line } from './ledger';
import { balances, journalPage, maxJournalPage, statement, type Balances, type JournalView, type Statement } from './reports';
import { reconcile, reconciliationReport, resolveItem, type ReconcileProgress, type ReconcileReport } from './reconcile';
import { parsePeriod, type Period } from './time';

export interface BooksOptions {
  sql: Sql;
  /** SHOP_TIMEZONE: days, periods and exported times. */
  timezone: string;
  log: Logger;
  /** The providers that hold movements: reconciliation reads their records and balances. */
  providers: readonly PaymentProvider[];
  clock?: () => number;
}

export interface OperatorJournal {
  currency: string;
  note: string;
  lines: Line[];
}

type Query = Readonly<Record<string, unknown>>;

function whole(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new DomainError('invalid', 'invalid_field', `${field} must be a whole number from ${min} to ${max}`, field);
  return n;
}

export function createBooksService(options: BooksOptions) {
  const ledger = new Ledger(options.sql);
  const store = ledger.store;
  const clock = options.clock ?? Date.now;
  const zone = options.timezone;
  const period = (query: Query) => parsePeriod({ from: query.from, to: query.to }, zone, clock());

  return {
    timezone: zone,

    /** An operator's journal (e.g. moving funds from the collection to the disbursement account), attributed and kept. */
    async postOperatorJournal(input: OperatorJournal, postedBy: string): Promise<number> {
      const id = await ledger.post({ kind: 'operator', currency: input.currency, lines: input.lines, note: input.note, postedBy, at: clock() });
      options.log.info('books.operator_journal', { journalId: id, postedBy, currency: input.currency, lines: input.lines.length });
      return id;
    },

    /** One journal with its lines, as the journal page shows it. */
    async journalById(id: number): Promise<JournalView | undefined> {
      return (await journalPage(store, { from: 0, to: Number.MAX_SAFE_INTEGER }, null, id - 1, 1)).journals.find((j) => j.id === id);
    },

    balances: async (query: Query): Promise<Balances> => balances(store, period(query)),

    async journal(query: Query): Promise<{ journals: JournalView[]; next: string | null }> {
      const account = query.account === undefined ? null : parseAccount(query.account, 'account');
      const after = whole(query.after, 'after', 0, Number.MAX_SAFE_INTEGER, 0);
      const limit = whole(query.limit, 'limit', 1, maxJournalPage, 100);
      return journalPage(store, period(query), account, after, limit);
    },

    statement: async (sellerId: string, query: Query): Promise<Statement> => statement(store, sellerId, period(query)),
    statementCsv: (s: Statement) => statementCsv(s, zone),

    /** Checks the export's name and query before anything is written, so a refusal is still a clean 4xx. */
    prepareExport(name: string, query: Query): (out: Writable) => Promise<number> {
      const found = exportNames.find((n) => n === name);
      if (!found) throw new DomainError('not_found', 'export_not_found', `exports are ${exportNames.join(', ')}`);
      const account = query.account === undefined ? null : parseAccount(query.account, 'account');
      const chosen: ExportName = found;
      const p = period(query);
      return (out) => writeExport(store, chosen, out, { period: p, zone, account });
    },

    /** The period of a reconciliation from outside: both ends are required. */
    reconcilePeriod(query: Query): Period {
      for (const field of ['from', 'to'] as const) {
        if (query[field] === undefined) throw new DomainError('invalid', 'invalid_field', `${field} is required`, field);
      }
      return period(query);
    },

    reconcile: (p: Period, startedBy: string, progress?: (p: ReconcileProgress) => void): Promise<ReconcileReport> =>
      reconcile({ store, providers: options.providers, log: options.log, clock }, p, startedBy, progress),

    async reconciliation(id: string): Promise<ReconcileReport> {
      const report = /^\d{1,15}$/.test(id) ? await reconciliationReport(store, Number(id)) : undefined;
      if (!report) throw new DomainError('not_found', 'reconciliation_not_found', 'No reconciliation with this id');
      return report;
    },

    /** Differences from reconciliations that no one has resolved yet, newest first. */
    openItems: (limit = 100): Promise<ReconcileItemRow[]> => store.openItems(limit),

    /** An operator settles a difference with a note; the item and its resolution are kept. */
    async resolveItem(id: string, note: unknown, by: string): Promise<ReconcileItemRow> {
      if (typeof note !== 'string') throw new DomainError('invalid', 'invalid_field', 'note is required', 'note');
      if (!/^\d{1,15}$/.test(id)) throw new DomainError('not_found', 'item_not_found', 'No reconciliation item with this id');
      const item = await resolveItem(store, Number(id), note, by, clock());
      options.log.info('books.item_resolved', { itemId: item.id, by });
      return item;
    },
  };
}

export type BooksService = ReturnType<typeof createBooksService>;
