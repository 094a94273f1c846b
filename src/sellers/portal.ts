// The seller portal as a service (issue #15): one seller's money as the books and the movements
// have it. Every read takes the seller id and passes it to the query, so another seller's order,
// payout or product is not found, never shown. The web layer gets words and integers, no SQL.
import type { ActionContext, Accounts } from '../accounts';
import type { BooksService, Statement } from '../books';
import type { Catalogue, Product } from '../catalogue';
import {
  adjustmentLines,
  failedPayouts,
  nextOpenPayout,
  orderLines,
  openPayoutSums,
  paidOutSums,
  payableBalance,
  payoutAttempts,
  sellerPayout,
  sellerPayouts,
  sellerProduct,
  sellerProducts,
  sellerSale,
  sellerSales,
  type Sql,
  type SellerLedgerRow,
  type SellerPayoutAttemptRow,
  type SellerPayoutRow,
  type SellerProductRow,
  type SellerSaleRow,
} from '../db';
import { DomainError } from '../domain-error';
import { formatMoney } from '../money';
import { sokoniReasons, type PaymentProvider, type ReasonKind } from '../providers';
import { shortId } from '../uuid';
import { cursorOf, encodeCursor, lineCursorOf, monthStart, PAGE_SIZE, periodOf, type Query } from './query';
import { lineLabel, payoutFailure, payoutWords, type PayoutWords } from './words';

export interface SellerPortalOptions {
  sql: Sql;
  books: BooksService;
  catalogue: Catalogue;
  accounts: Accounts;
  /** The providers that hold payouts: their reason maps say what a failure means. */
  providers: readonly PaymentProvider[];
  clock?: () => number;
}

export interface Sale extends SellerSaleRow {
  payout: PayoutWords;
}

export interface Payout extends SellerPayoutRow {
  words: PayoutWords;
}

export interface HomeFigures {
  currency: string;
  /** What the books say Sokoni owes the seller now (payouts on the way included). Negative: the seller owes (a claw-back). */
  owedMinor: number;
  /** Payouts sent and not final yet. */
  onTheWayMinor: number;
  /** Payouts waiting for the shop's MoMo account to be topped up. */
  waitingFundsMinor: number;
  paidThisMonthMinor: number;
}

/** A plain line on the home page when something needs the seller's attention. */
export interface Notice {
  text: string;
  orderId: string | null;
}

export interface Home {
  figures: HomeFigures[];
  /** The oldest payout not final yet. */
  nextPayout: Payout | null;
  notices: Notice[];
}

export interface LedgerLine {
  entryId: number;
  at: number;
  kind: string;
  label: string;
  orderId: string | null;
  note: string | null;
  currency: string;
  /** For the seller: positive is owed to them, negative is taken back or paid. */
  amountMinor: number;
}

export interface StatementView extends Statement {
  /** Labels of the kinds of line in the statement, by journal kind. */
  labels: Map<string, string>;
}

export interface ProductChanges {
  description?: string;
  priceMinor?: number;
  active?: boolean;
}

/** A line of the seller's payable as the seller reads it: positive is owed to them. */
const ledgerLine = (r: SellerLedgerRow): LedgerLine => ({
  entryId: r.entryId, at: r.at, kind: r.kind, label: lineLabel(r.kind), orderId: r.orderId, note: r.note, currency: r.currency, amountMinor: 0 - r.amountMinor,
});

const notFound = (what: string) => new DomainError('not_found', `${what}_not_found`, `No ${what} of yours with this id`);
const productState = (p: Product) => ({ description: p.description, priceMinor: p.priceMinor, active: p.active });

export function createSellerPortal(options: SellerPortalOptions) {
  const { sql, books } = options;
  const clock = options.clock ?? Date.now;
  const zone = books.timezone;
  const providers = new Map(options.providers.map((p) => [p.name, p]));

  /** What a payout's reason code means, by the provider that holds it; null without a reason. */
  function reasonKind(provider: string | null, code: string | null): ReasonKind | null {
    if (code === null) return null;
    const own = sokoniReasons.get(code);
    if (own) return own.kind;
    // A transfer has no approval window, so how long it waited does not change what it means.
    return (provider ? providers.get(provider)?.reasonOf(code, { pendingForMs: 0 }).kind : undefined) ?? 'refused';
  }

  const sale = (row: SellerSaleRow): Sale => ({
    ...row,
    payout: row.payoutStatus === null && row.status === 'paid'
      ? payoutWords('sending', null)
      : payoutWords(row.payoutStatus, reasonKind(row.payoutProvider, row.payoutReason)),
  });
  const payout = (row: SellerPayoutRow): Payout => ({ ...row, words: payoutWords(row.status, reasonKind(row.provider, row.reason)) });

  function page<R, V>(rows: R[], limit: number, view: (row: R) => V, cursor: (row: R) => { at: number; id: string }): { rows: V[]; next: string | null } {
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    return { rows: shown.map(view), next: rows.length > limit && last ? encodeCursor(cursor(last)) : null };
  }

  function filter(query: Query) {
    const period = periodOf(query, zone, clock());
    // One row more than shown says whether there is a next page, without counting.
    return { period, filter: { ...period, after: cursorOf(query), limit: PAGE_SIZE + 1 } };
  }

  return {
    timezone: zone,

    /** Whose portal this is, as its pages greet them. */
    sellerName: async (sellerId: string): Promise<string> => (await options.catalogue.findSeller(sellerId))?.name ?? '',

    async home(sellerId: string): Promise<Home> {
      const now = clock();
      const month = periodOf({}, zone, now, monthStart(now, zone));
      const figures = new Map<string, HomeFigures>();
      const figure = (currency: string) => {
        let f = figures.get(currency);
        if (!f) figures.set(currency, (f = { currency, owedMinor: 0, onTheWayMinor: 0, waitingFundsMinor: 0, paidThisMonthMinor: 0 }));
        return f;
      };
      // 0 - x, not -x: a settled account is owed 0, not -0.
      for (const row of await payableBalance(sql, sellerId)) figure(row.currency).owedMinor = 0 - row.amountMinor;
      for (const row of await openPayoutSums(sql, sellerId)) {
        if (row.status === 'waiting_funds') figure(row.currency).waitingFundsMinor += row.amountMinor;
        else figure(row.currency).onTheWayMinor += row.amountMinor;
      }
      for (const row of await paidOutSums(sql, sellerId, month.from, month.to)) figure(row.currency).paidThisMonthMinor = row.amountMinor;

      const notices: Notice[] = [];
      for (const failed of await failedPayouts(sql, sellerId, 5)) {
        const words = payoutFailure(reasonKind(failed.provider, failed.reason));
        notices.push({ text: `A payout for order ${shortId(failed.orderId)} failed. ${words.what} ${words.next}`, orderId: failed.orderId });
      }
      for (const f of figures.values()) {
        if (f.owedMinor < 0) {
          notices.push({
            text: `You owe the shop ${formatMoney(-f.owedMinor, f.currency)}: a refund of a sale that was already paid out to you (a claw-back). It comes off what the shop owes you for your next sales.`,
            orderId: null,
          });
        }
      }
      const next = await nextOpenPayout(sql, sellerId);
      return { figures: [...figures.values()], nextPayout: next ? payout(next) : null, notices };
    },

    async sales(sellerId: string, query: Query) {
      const { period, filter: f } = filter(query);
      const { rows, next } = page(await sellerSales(sql, sellerId, f), PAGE_SIZE, sale, (r) => ({ at: r.createdAt, id: r.orderId }));
      return { period, sales: rows, next };
    },

    /** One sale, with every line it put on the seller's account: its share, its payout, a refund's claw-back. */
    async sale(sellerId: string, orderId: string): Promise<Sale & { lines: LedgerLine[] }> {
      const row = await sellerSale(sql, sellerId, orderId.toLowerCase());
      if (!row) throw notFound('sale');
      return { ...sale(row), lines: (await orderLines(sql, sellerId, row.orderId)).map(ledgerLine) };
    },

    async payouts(sellerId: string, query: Query) {
      const { period, filter: f } = filter(query);
      const { rows, next } = page(await sellerPayouts(sql, sellerId, f), PAGE_SIZE, payout, (r) => ({ at: r.orderCreatedAt, id: r.orderId }));
      return { period, payouts: rows, next };
    },

    /** One payout with every attempt at it (each with its reason), as the seller may ask about one. */
    async payout(sellerId: string, payoutId: string): Promise<Payout & { tries: (SellerPayoutAttemptRow & { words: PayoutWords })[] }> {
      const row = /^\d{1,15}$/.test(payoutId) ? await sellerPayout(sql, sellerId, Number(payoutId)) : undefined;
      if (!row) throw notFound('payout');
      // A try says only what happened to it; what happens next is the payout's to say.
      const tries = (await payoutAttempts(sql, row.id)).map((a) => ({
        ...a,
        words: a.status === 'failed'
          ? { state: 'failed' as const, label: 'Failed', detail: payoutFailure(reasonKind(row.provider, a.reason)).what }
          : payoutWords(a.status, null),
      }));
      return { ...payout(row), tries };
    },

    /** Refunds, claw-backs and corrections: the lines of the seller's account that are not a sale or its payout. */
    async adjustments(sellerId: string, query: Query): Promise<{ lines: LedgerLine[]; next: string | null }> {
      const rows = await adjustmentLines(sql, sellerId, lineCursorOf(query), PAGE_SIZE + 1);
      const shown = rows.slice(0, PAGE_SIZE);
      return {
        lines: shown.map(ledgerLine),
        next: rows.length > PAGE_SIZE ? String(shown.at(-1)!.entryId) : null,
      };
    },

    /** The books' statement of the seller's account for a period (this month unless given). */
    async statement(sellerId: string, query: Query): Promise<StatementView> {
      const now = clock();
      const period = periodOf(query, zone, now, monthStart(now, zone));
      const statement = await books.statement(sellerId, { from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString() });
      const labels = new Map<string, string>();
      for (const c of statement.currencies) for (const l of c.lines) labels.set(l.kind, lineLabel(l.kind));
      return { ...statement, labels };
    },

    statementCsv: (s: Statement): string => books.statementCsv(s),

    products: (sellerId: string): Promise<SellerProductRow[]> => sellerProducts(sql, sellerId),

    async product(sellerId: string, productId: string): Promise<SellerProductRow> {
      const row = await sellerProduct(sql, sellerId, productId.toLowerCase());
      if (!row) throw notFound('product');
      return row;
    },

    /**
     * The seller changes their product, audited before → after (or refused, with what was asked).
     * Orders freeze their unit price when placed, so a new price applies to new orders only.
     */
    async updateProduct(ctx: ActionContext, sellerId: string, productId: string, changes: ProductChanges): Promise<Product> {
      const id = productId.toLowerCase();
      const current = await sellerProduct(sql, sellerId, id);
      if (!current) throw notFound('product');
      const before = { description: current.description, priceMinor: current.priceMinor, active: current.active };
      try {
        const product = await options.catalogue.updateOwnProduct(sellerId, id, changes);
        await options.accounts.audit(ctx, { action: 'product.seller_update', objectType: 'product', objectId: id, before, after: productState(product) });
        return product;
      } catch (error) {
        if (error instanceof DomainError) {
          await options.accounts.audit(ctx, { action: 'product.seller_update', objectType: 'product', objectId: id, before, after: { asked: changes, refused: error.code }, outcome: 'refused' });
        }
        throw error;
      }
    },
  };
}

export type SellerPortal = ReturnType<typeof createSellerPortal>;
