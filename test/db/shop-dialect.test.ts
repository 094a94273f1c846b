// The shop's reads as PostgreSQL gets them (issue #17): no SQLite-only syntax (an ON after CROSS
// JOIN, rowid), and counts and sums come back as numbers although PostgreSQL's driver hands
// bigint and numeric over as strings. SQLite keeps its CROSS JOIN, which fixes the join order.
import { describe, expect, it } from 'vitest';
import {
  adjustmentLines, attentionCounts, attentionRows, dayFigures, failedPayouts, filterChoices, listOrderRows, movementsInFlight, nextOpenPayout,
  orderCountsByStatus, orderDetailRows, orderLines, openPayoutSums, paidOutSums, payableBalance, payoutAttempts, sellerPayout, sellerPayouts,
  sellerSale, sellerSales, type Dialect, type Params, type RunResult, type Sql,
} from '../../src/db';

/** Answers every read with one row of this shape, the numbers as PostgreSQL's driver gives them. */
const ROW = {
  id: 'o1', currency: 'EUR', status: 'pending', kind: 'payout', amountMinor: '1600', count: '3', orders: '2', failed: '1',
  collected: '2000', revenue: '400', paid: '1600', payoutFailed: '1', stuck: '0', payoutsWaiting: '2',
};

class RecordingSql implements Sql {
  readonly texts: string[] = [];
  readonly inTransaction = false;
  constructor(readonly dialect: Dialect) {}
  all<T>(sql: string, _params?: Params): Promise<T[]> {
    this.texts.push(sql);
    return Promise.resolve([ROW as T]);
  }
  get<T>(sql: string, _params?: Params): Promise<T | undefined> {
    this.texts.push(sql);
    return Promise.resolve(ROW as T);
  }
  run(sql: string, _params?: Params): Promise<RunResult> {
    this.texts.push(sql);
    return Promise.resolve({ changes: 0 });
  }
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return fn(this);
  }
  committed(): Promise<void> {
    return Promise.resolve();
  }
  afterCommit(fn: () => void): void {
    fn();
  }
}

async function readEverything(db: Sql): Promise<void> {
  const page = { from: 0, to: 1, after: null, limit: 26 };
  await listOrderRows(db, { limit: 51, status: 'paid', exact: 'x', after: { createdAt: 1, id: 'o1' } });
  await orderDetailRows(db, 'o1');
  await attentionRows(db, 0, 100);
  await filterChoices(db);
  await sellerSales(db, 's1', page);
  await sellerSale(db, 's1', 'o1');
  await sellerPayouts(db, 's1', page);
  await sellerPayout(db, 's1', 1);
  await payoutAttempts(db, 1);
  await nextOpenPayout(db, 's1');
  await failedPayouts(db, 's1', 5);
  await adjustmentLines(db, 's1', null, 26);
  await orderLines(db, 's1', 'o1');
}

describe('the shop reads per dialect', () => {
  it('gives PostgreSQL no ON after CROSS JOIN and no rowid, where SQLite keeps both', async () => {
    const postgres = new RecordingSql('postgres');
    await readEverything(postgres);
    expect(postgres.texts.filter((text) => /CROSS JOIN|rowid/.test(text))).toEqual([]);

    const sqlite = new RecordingSql('sqlite');
    await readEverything(sqlite);
    expect(sqlite.texts.filter((text) => /CROSS JOIN/.test(text))).toHaveLength(12);
    expect(sqlite.texts.filter((text) => /rowid/.test(text))).toHaveLength(2);
  });

  it('turns counts and sums into numbers', async () => {
    const db = new RecordingSql('postgres');
    expect(await attentionCounts(db, 0)).toEqual({ payoutFailed: 1, stuck: 0, payoutsWaiting: 2 });
    expect(await dayFigures(db, 0)).toEqual([{ currency: 'EUR', orders: 2, failed: 1, collectedMinor: 2000, platformRevenueMinor: 400, paidToSellersMinor: 1600 }]);
    expect(await payableBalance(db, 's1')).toEqual([{ currency: 'EUR', amountMinor: 1600 }]);
    expect(await paidOutSums(db, 's1', 0, 1)).toEqual([{ currency: 'EUR', amountMinor: 1600 }]);
    expect((await openPayoutSums(db, 's1'))[0]).toMatchObject({ currency: 'EUR', status: 'pending', amountMinor: 1600 });
    expect((await orderCountsByStatus(db))[0]).toMatchObject({ status: 'pending', count: 3 });
    expect((await movementsInFlight(db))[0]).toMatchObject({ kind: 'payout', status: 'pending', count: 3 });
  });
});
