// Real orders through the real app (embedded sandbox, the suite's database, HTTP): each money event posts
// its journal, the books agree with the sandbox's accounts, and operators post journals too.
import { afterEach, describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/money';
import { ADMIN_TOKEN, pay, sellerWithProduct, startStore, type Store } from '../checkout/helpers';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const shopper = '256772123456';

function journals(s: Store) {
  return s.sokoni.sql.all<{ id: number; kind: string; orderId: string; sum: number; lines: number }>(`SELECT j.id, j.kind, j.order_id AS orderId, sum(e.amount_minor) AS sum, count(e.id) AS lines
    FROM journals j JOIN entries e ON e.journal_id = j.id GROUP BY j.id ORDER BY j.id`);
}

async function balance(s: Store, account: string): Promise<number> {
  return (await s.sokoni.sql.get<{ n: number }>(`SELECT coalesce(sum(amount_minor), 0) AS n FROM entries WHERE account = ?`, [account]))!.n;
}

/** MoMo's own balance (the sandbox opens an account at its opening balance when first asked). */
async function sandboxMinor(s: Store, account: 'collection' | 'disbursement'): Promise<number> {
  const { body } = await s.http.get('/balance').set(auth).expect(200);
  return parseDecimal(body[account].availableBalance, 'EUR');
}

describe('the workflow posts a journal for each money event', () => {
  it('a settled order: collection (amount in; share owed; rest earned) then payout (owed out of disbursement)', async () => {
    store = await startStore();
    const { sellerId, productId } = await sellerWithProduct(store, '256772000111', 333);
    const before = { collection: await sandboxMinor(store, 'collection'), disbursement: await sandboxMinor(store, 'disbursement') };
    const placed = await pay(store, { productId, qty: 7, phone: shopper }, 20);
    expect(placed.body.status).toBe('settled');

    const posted = await journals(store);
    expect(posted.map((j) => [j.kind, j.orderId, j.sum])).toEqual([['collection', placed.body.id, 0], ['payout', placed.body.id, 0]]);
    // 2331 paid: 1864 (80%) owed to the seller and then paid out; 467 earned.
    expect(await balance(store, 'collection')).toBe(2331);
    expect(await balance(store, 'platform_revenue')).toBe(-467);
    expect(await balance(store, `seller_payable:${sellerId}`)).toBe(0);
    expect(await balance(store, 'disbursement')).toBe(-1864);
    // The books moved exactly as MoMo's accounts did.
    expect(await sandboxMinor(store, 'collection') - before.collection).toBe(await balance(store, 'collection'));
    expect(await sandboxMinor(store, 'disbursement') - before.disbursement).toBe(await balance(store, 'disbursement'));

    const { body } = await store.http.get('/api/books/balances').set(auth).expect(200);
    expect(body.sellers).toEqual([expect.objectContaining({ sellerId, currency: 'EUR', owedMinor: 0, onTheWayMinor: 0, paidInPeriodMinor: 1864 })]);
    expect(body.platformRevenue).toEqual([{ currency: 'EUR', inPeriodMinor: 467, totalMinor: 467 }]);
    expect(body.expectedMomo).toEqual([
      { account: 'collection', currency: 'EUR', amountMinor: 2331, amount: '23.31' },
      { account: 'disbursement', currency: 'EUR', amountMinor: -1864, amount: '-18.64' },
    ]);
  });

  it('a payout that fails leaves the seller owed their share, and posts nothing for the payout', async () => {
    store = await startStore();
    const { sellerId, productId } = await sellerWithProduct(store, '46733123457', 1000);
    const placed = await pay(store, { productId, qty: 1, phone: shopper }, 20);
    expect(placed.body.status).toBe('payout_failed');
    expect((await journals(store)).map((j) => j.kind)).toEqual(['collection']);
    expect(await balance(store, `seller_payable:${sellerId}`)).toBe(-800);
    const { body } = await store.http.get('/api/books/balances').set(auth).expect(200);
    expect(body.sellers).toEqual([expect.objectContaining({ sellerId, owedMinor: 800, paidInPeriodMinor: 0 })]);
  });

  it('a failed payment posts nothing', async () => {
    store = await startStore();
    const { productId } = await sellerWithProduct(store, '256772000222', 1000);
    const placed = await pay(store, { productId, qty: 1, phone: '46733123451' }, 20);
    expect(placed.body.status).toBe('failed');
    expect(await journals(store)).toEqual([]);
  });
});

describe('operator journals', () => {
  it('records a balanced journal with its note and who posted it; the expected balances then match MoMo', async () => {
    store = await startStore();
    const opening = await sandboxMinor(store, 'disbursement');
    const res = await store.http.post('/api/books/journals').set(auth).send({
      currency: 'EUR', note: 'Opening balance of the disbursement account',
      lines: [{ account: 'disbursement', amountMinor: opening }, { account: 'opening_equity', amountMinor: -opening }],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'operator', postedBy: 'admin-token', note: 'Opening balance of the disbursement account', lines: [{ account: 'disbursement', amountMinor: opening }, { account: 'opening_equity', amountMinor: -opening }] });
    const { productId } = await sellerWithProduct(store, '256772000333', 500);
    expect((await pay(store, { productId, qty: 2, phone: shopper }, 20)).body.status).toBe('settled');
    expect(await balance(store, 'disbursement')).toBe(await sandboxMinor(store, 'disbursement'));
    expect(await balance(store, 'collection')).toBe(await sandboxMinor(store, 'collection'));
  });

  it('refuses an unbalanced journal, an unknown account, a missing note or no admin token, and writes nothing', async () => {
    store = await startStore();
    const post = (body: unknown, headers: Record<string, string> = auth) => store!.http.post('/api/books/journals').set(headers).send(body as object);
    const lines = [{ account: 'disbursement', amountMinor: 100 }, { account: 'collection', amountMinor: -100 }];
    expect((await post({ currency: 'EUR', note: 'x', lines: [lines[0], { account: 'collection', amountMinor: -99 }] })).body.error).toMatchObject({ code: 'unbalanced_journal', field: 'lines' });
    expect((await post({ currency: 'EUR', note: 'x', lines: [lines[0], { account: 'petty_cash', amountMinor: -100 }] })).body.error).toMatchObject({ code: 'invalid_account', field: 'lines[1].account' });
    const noNote = await post({ currency: 'EUR', lines });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.field).toBe('note');
    expect((await post({ currency: 'XXX', note: 'x', lines })).body.error.field).toBe('currency');
    expect((await post({ currency: 'EUR', note: 'x', lines }, {})).status).toBe(401);
    expect(await journals(store)).toEqual([]);
  });
});
