// Reconciliation: Sokoni's books and movements against the provider's own records. MoMo keeps no
// transaction list, so every attempt at a movement of the period is read by its reference (at
// the client's rate limit), and the books' expected account balances are compared with the
// provider's balance. Each difference becomes an item that a person resolves with a note.
import { BEFORE_ALL, type AttemptForReconcile, type BooksStore, type NewReconcileItem, type ReconcileItemRow, type ReconciliationRow } from '../db';
import { DomainError } from '../domain-error';
import type { Logger } from '../log';
import { findCurrency, parseDecimal } from '../money';
import { AMOUNT_MISMATCH, type PaymentProvider, type ProviderTransaction } from '../providers';
import { signedDecimal } from './money-text';
import { expectedMomo } from './reports';
import type { Period } from './time';

export interface ReconcileProgress {
  checked: number;
  total: number;
}

export interface ReconcileReport extends ReconciliationRow {
  items: ReconcileItemRow[];
  unresolved: number;
}

export interface ReconcileDeps {
  store: BooksStore;
  /** Every provider that holds movements, by name; balances are read from each. */
  providers: readonly PaymentProvider[];
  log: Logger;
  clock: () => number;
}

const PAGE = 100;

/** What Sokoni's final attempt status says the provider should say. */
function compare(attempt: AttemptForReconcile, tx: ProviderTransaction | null, inSuspense: boolean): NewReconcileItem | null {
  const about = { movementId: attempt.movementId, referenceId: attempt.referenceId, orderId: attempt.orderId, account: null, currency: attempt.currency };
  const ours = attempt.attemptStatus === 'successful' ? 'SUCCESSFUL' : 'FAILED';
  if (tx === null) {
    // A create the provider refused, or that never arrived, leaves nothing there: that is a failure too.
    return ours === 'FAILED' ? null : { ...about, kind: 'unknown', expected: ours, actual: 'not found' };
  }
  if (tx.status === 'SUCCESSFUL' && ours === 'FAILED' && attempt.reason === AMOUNT_MISMATCH && inSuspense) return null;
  if (tx.status !== ours) return { ...about, kind: 'status', expected: ours, actual: tx.status };
  if (ours === 'FAILED') return null;
  if (tx.currency !== attempt.currency) return { ...about, kind: 'currency', expected: attempt.currency, actual: tx.currency };
  if (tx.amountMinor !== attempt.amountMinor) {
    const actual = tx.amountMinor === null ? 'unreadable' : signedDecimal(tx.amountMinor, tx.currency);
    return { ...about, kind: 'amount', expected: signedDecimal(attempt.amountMinor, attempt.currency), actual };
  }
  return null;
}

/** The books' expected balance of each MoMo account against what each provider reports now. */
async function balanceItems(deps: ReconcileDeps): Promise<NewReconcileItem[]> {
  const expected = expectedMomo(await deps.store.accountSums(null));
  const items: NewReconcileItem[] = [];
  for (const provider of deps.providers) {
    const reported = await provider.balances();
    for (const account of ['collection', 'disbursement'] as const) {
      const { currency, availableBalance } = reported[account];
      if (!findCurrency(currency)) continue;
      const actual = parseDecimal(availableBalance, currency);
      const books = expected.find((e) => e.account === account && e.currency === currency)?.amountMinor ?? 0;
      if (books !== actual) {
        items.push({
          kind: 'balance', movementId: null, referenceId: null, orderId: null, account, currency,
          expected: signedDecimal(books, currency), actual: signedDecimal(actual, currency),
        });
      }
    }
  }
  return items;
}

/**
 * Records a difference. One an operator already resolved (the same kind, reference or account,
 * and values) is recorded resolved, pointing at that resolution, so a nightly run does not fail
 * again and again over what a person has already explained.
 */
async function record(store: BooksStore, runId: number, item: NewReconcileItem, now: number): Promise<void> {
  const earlier = await store.earlierResolution(item);
  const resolution = earlier ? { at: now, by: earlier.resolvedBy ?? 'unknown', note: `as resolved in item ${earlier.id}: ${earlier.resolutionNote ?? ''}`.slice(0, 500) } : null;
  await store.insertItem(runId, item, resolution);
}

export async function reconcile(deps: ReconcileDeps, period: Period, startedBy: string, progress?: (p: ReconcileProgress) => void): Promise<ReconcileReport> {
  const { store, clock, log } = deps;
  const byName = new Map(deps.providers.map((p) => [p.name, p]));
  const id = await store.startReconciliation(period.from, period.to, startedBy, clock());
  const counts = { checked: 0, matched: 0, open: 0 };
  const total = await store.attemptsCount(period.from, period.to);
  let error: string | null = null;
  try {
    let after = BEFORE_ALL;
    for (;;) {
      const page = await store.attemptsPage(period.from, period.to, after, PAGE);
      for (const attempt of page) {
        counts.checked++;
        // Still followed by the engine: its outcome is not Sokoni's yet, so nothing to compare.
        if (attempt.attemptStatus === 'sending' || attempt.attemptStatus === 'pending') counts.open++;
        else {
          const provider = byName.get(attempt.provider);
          if (!provider) throw new Error(`no provider named ${attempt.provider} is configured`);
          const tx = await provider.read(attempt.kind, attempt.referenceId);
          const item = compare(attempt, tx, (await store.journalOfMovement(attempt.movementId))?.kind === 'suspense');
          if (item) await record(store, id, item, clock());
          else counts.matched++;
        }
        progress?.({ checked: counts.checked, total });
      }
      if (page.length < PAGE) break;
      const last = page.at(-1)!;
      after = { at: last.createdAt, id: last.referenceId };
    }
    for (const item of await balanceItems(deps)) await record(store, id, item, clock());
  } catch (caught) {
    // The items found so far are kept; the run says it did not finish.
    error = caught instanceof Error ? caught.message : String(caught);
    log.error('books.reconcile_failed', { reconciliationId: id, error });
  }
  await store.finishReconciliation(id, counts, error, clock());
  const report = (await reconciliationReport(store, id))!;
  log.info('books.reconciled', { reconciliationId: id, checked: counts.checked, matched: counts.matched, open: counts.open, differences: report.items.length, error });
  return report;
}

export async function reconciliationReport(store: BooksStore, id: number): Promise<ReconcileReport | undefined> {
  const run = await store.reconciliation(id);
  if (!run) return undefined;
  const items = await store.items(id);
  return { ...run, items, unresolved: items.filter((i) => i.resolvedAt === null).length };
}

export async function resolveItem(store: BooksStore, itemId: number, note: string, by: string, now: number): Promise<ReconcileItemRow> {
  const item = await store.item(itemId);
  if (!item) throw new DomainError('not_found', 'item_not_found', 'No reconciliation item with this id');
  const text = note.trim();
  if (text.length < 1 || text.length > 500) throw new DomainError('invalid', 'invalid_field', 'note must say how it was resolved (1–500 characters)', 'note');
  if (!(await store.resolveItem(itemId, by, text, now))) throw new DomainError('conflict', 'already_resolved', 'This item was already resolved; its resolution is kept');
  return (await store.item(itemId))!;
}
