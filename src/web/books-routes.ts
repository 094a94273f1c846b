// The books' admin routes (issue #12): balances, the journal, operator journals, a seller's
// statement (JSON or CSV), the streamed CSV exports, and reconciliations with their items, all
// behind the admin token.
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { isoInZone, type BooksService, type JournalView, type ReconcileReport, type Statement } from '../books';
import type { Config } from '../config';
import { requireAdmin } from './admin-auth';
import { ApiError } from './errors';
import * as fields from './fields';

/** Who posted an operator journal or resolved an item. The admin token names nobody yet: operator accounts will. */
export const ADMIN_TOKEN_HOLDER = 'admin-token';

const journalBody = z.object({
  currency: fields.currency,
  note: z.string({ error: 'must be text' }).trim().min(1, { error: 'must say why' }).max(500, { error: 'must be at most 500 characters' }),
  lines: z
    .array(
      z.object({
        account: z.string({ error: 'must be an account code' }).max(100, { error: 'must be an account code' }),
        // Signed: a debit is positive, a credit negative.
        amountMinor: z.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' }).refine(Number.isSafeInteger, { error: 'is too large' }),
      }),
      { error: 'must be a list of {account, amountMinor}' },
    )
    .min(2, { error: 'must have at least two lines' })
    .max(20, { error: 'must have at most 20 lines' }),
});

function wantsCsv(req: Request): boolean {
  return req.accepts(['json', 'text/csv']) === 'text/csv';
}

function sendCsvHeaders(res: Response, name: string): void {
  res.status(200);
  res.setHeader('content-type', 'text/csv; charset=utf-8; header=present');
  res.setHeader('content-disposition', `attachment; filename="${name}.csv"`);
  res.setHeader('cache-control', 'no-store');
}

export function createBooksRouter({ config, books }: { config: Config; books: BooksService }): express.Router {
  const router = express.Router();
  const admin = requireAdmin(config.adminToken);
  const time = (at: number) => isoInZone(at, books.timezone);
  const journalJson = (j: JournalView) => ({ ...j, at: time(j.at) });
  const statementJson = (s: Statement) => ({
    ...s, from: time(s.from), to: time(s.to),
    currencies: s.currencies.map((c) => ({ ...c, lines: c.lines.map((l) => ({ ...l, at: time(l.at) })) })),
  });

  router.get('/api/books/balances', admin, async (req, res) => {
    const b = await books.balances(req.query);
    res.json({ ...b, from: time(b.from), to: time(b.to) });
  });

  router.get('/api/books/journal', admin, async (req, res) => {
    const page = await books.journal(req.query);
    res.json({ journals: page.journals.map(journalJson), next: page.next });
  });

  router.post('/api/books/journals', admin, async (req, res) => {
    const body = fields.parseBody(journalBody, req.body);
    const id = await books.postOperatorJournal(body, ADMIN_TOKEN_HOLDER);
    res.status(201).json(journalJson((await books.journalById(id))!));
  });

  router.get('/api/sellers/:id/statement', admin, async (req, res) => {
    const id = fields.uuid.safeParse(req.params.id);
    if (!id.success) throw new ApiError(404, 'seller_not_found', 'No seller with this id');
    const s = await books.statement(id.data, req.query);
    if (wantsCsv(req)) {
      sendCsvHeaders(res, `statement-${id.data}`);
      res.end(books.statementCsv(s));
    } else res.json(statementJson(s));
  });

  const reportJson = (r: ReconcileReport) => ({
    ...r, fromAt: time(r.fromAt), toAt: time(r.toAt), startedAt: time(r.startedAt), finishedAt: r.finishedAt === null ? null : time(r.finishedAt),
    items: r.items.map((i) => ({ ...i, resolvedAt: i.resolvedAt === null ? null : time(i.resolvedAt) })),
  });

  router.post('/api/books/reconciliations', admin, async (req, res) => {
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const report = await books.reconcile(books.reconcilePeriod({ from: body.from, to: body.to }), ADMIN_TOKEN_HOLDER);
    res.status(201).json(reportJson(report));
  });

  router.get('/api/books/reconciliations/:id', admin, async (req, res) => {
    res.json(reportJson(await books.reconciliation(String(req.params.id))));
  });

  router.post('/api/books/reconciliation-items/:id/resolve', admin, async (req, res) => {
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const item = await books.resolveItem(String(req.params.id), body.note, ADMIN_TOKEN_HOLDER);
    res.json({ ...item, resolvedAt: item.resolvedAt === null ? null : time(item.resolvedAt) });
  });

  router.get('/api/books/exports/:name', admin, async (req, res) => {
    const write = books.prepareExport(String(req.params.name).replace(/\.csv$/, ''), req.query);
    sendCsvHeaders(res, String(req.params.name).replace(/\.csv$/, ''));
    try {
      await write(res);
      res.end();
    } catch (error) {
      // Headers are gone: the only honest signal left is a cut connection.
      res.destroy(error as Error);
      throw error;
    }
  });

  return router;
}
