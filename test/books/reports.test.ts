// The reports and exports over HTTP, on real orders: the journal page by page, a seller's
// statement as JSON and CSV, and the CSV exports (RFC 4180, decimal amounts, times in
// SHOP_TIMEZONE).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, pay, startStore, type Store } from '../checkout/helpers';

let store: Store;
let sellerId: string;
const orderIds: string[] = [];
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const SELLER_NAME = 'Mama "Best", Ltd';

beforeAll(async () => {
  store = await startStore({ SHOP_TIMEZONE: 'Africa/Kampala' });
  const seller = await store.http.post('/api/sellers').set(auth).send({ name: SELLER_NAME, msisdn: '256772000999' }).expect(201);
  sellerId = seller.body.id;
  const product = await store.http.post('/api/products').set(auth).send({ sellerId, name: 'Mat', priceMinor: 1250, currency: 'EUR' }).expect(201);
  for (let i = 0; i < 3; i++) {
    const placed = await pay(store, { productId: product.body.id, qty: 1, phone: '256772123456' }, 20);
    expect(placed.body.status).toBe('settled');
    orderIds.push(placed.body.id);
  }
});
afterAll(() => store.close());

const get = (path: string, accept = 'application/json') => store.http.get(path).set(auth).set('accept', accept);

/** RFC 4180 records, quotes and all. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field).toBe('');
  return rows;
}

describe('the journal', () => {
  it('pages with a keyset cursor: every journal once, in order', async () => {
    const seen: number[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const res: { body: { journals: { id: number }[]; next: string | null } } = await get(`/api/books/journal?limit=4${next ? `&after=${next}` : ''}`).expect(200);
      seen.push(...res.body.journals.map((j: { id: number }) => j.id));
      next = res.body.next;
      pages++;
    } while (next && pages < 10);
    expect(seen).toHaveLength(6);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(new Set(seen).size).toBe(6);
    expect(pages).toBe(2);
  });

  it('filters by account and period, with times in the shop time zone', async () => {
    const res = await get('/api/books/journal?account=platform_revenue').expect(200);
    expect(res.body.journals).toHaveLength(3);
    expect(res.body.journals.every((j: { kind: string; at: string }) => j.kind === 'collection' && j.at.endsWith('+03:00'))).toBe(true);
    expect((await get('/api/books/journal?from=2000-01-01&to=2000-01-02').expect(200)).body.journals).toEqual([]);
  });

  it('refuses bad parameters with a 400 naming the field', async () => {
    for (const [query, field] of [['limit=0', 'limit'], ['limit=abc', 'limit'], ['account=petty_cash', 'account'], ['from=yesterday', 'from'], ['from=2026-02-30', 'from'], ['from=2026-02-02&to=2026-02-01', 'to']]) {
      const res = await get(`/api/books/journal?${query}`);
      expect([query, res.status, res.body.error?.field]).toEqual([query, 400, field]);
    }
  });
});

describe("a seller's statement", () => {
  it('as JSON: opening balance, a sale and a payout per order with its id, closing balance', async () => {
    const res = await get(`/api/sellers/${sellerId}/statement`).expect(200);
    const [eur] = res.body.currencies;
    expect(eur).toMatchObject({ currency: 'EUR', openingMinor: 0, closingMinor: 0 });
    expect(eur.lines).toHaveLength(6);
    expect(eur.lines.filter((l: { kind: string }) => l.kind === 'collection').map((l: { orderId: string; amountMinor: number }) => [l.orderId, l.amountMinor])).toEqual(orderIds.map((id) => [id, 1000]));
    expect(eur.lines.filter((l: { kind: string }) => l.kind === 'payout').every((l: { amountMinor: number }) => l.amountMinor === -1000)).toBe(true);
  });

  it('from a later point opens with what was owed then', async () => {
    const first = (await get(`/api/sellers/${sellerId}/statement`).expect(200)).body.currencies[0].lines[0];
    const after = new Date(Date.parse(first.at) + 1).toISOString();
    const res = await get(`/api/sellers/${sellerId}/statement?from=${encodeURIComponent(after)}`).expect(200);
    expect(res.body.currencies[0].openingMinor).toBe(1000);
  });

  it('as CSV with Accept: text/csv', async () => {
    const res = await get(`/api/sellers/${sellerId}/statement`, 'text/csv').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parseCsv(res.text);
    expect(rows[0]).toEqual(['time', 'kind', 'order_id', 'note', 'amount', 'balance', 'currency']);
    expect(rows.map((r) => r[1])).toEqual(['kind', 'opening', 'collection', 'payout', 'collection', 'payout', 'collection', 'payout', 'closing']);
    expect(rows[2]).toEqual([expect.stringMatching(/\+03:00$/), 'collection', orderIds[0], '', '10.00', '10.00', 'EUR']);
  });

  it('of an unknown seller is a 404', async () => {
    expect((await get('/api/sellers/00000000-0000-4000-8000-000000000000/statement')).status).toBe(404);
    expect((await get('/api/sellers/nope/statement')).status).toBe(404);
  });
});

describe('CSV exports', () => {
  it('orders: a header and one line per order, decimal amounts, local times', async () => {
    const res = await get('/api/books/exports/orders.csv', 'text/csv').expect(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="orders.csv"');
    const rows = parseCsv(res.text);
    expect(rows[0]).toContain('amount');
    expect(rows.slice(1).map((r) => r[1])).toEqual(orderIds);
    expect(rows[1]).toEqual([expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+03:00$/), orderIds[0], 'settled', sellerId, expect.any(String), '1', '12.50', '10.00', '2.50', 'EUR', 'successful', expect.any(String), 'successful']);
  });

  it('settlements: one line per payout with its order, the seller name quoted as RFC 4180 says', async () => {
    const res = await get('/api/books/exports/settlements', 'text/csv').expect(200);
    expect(res.text).toContain('"Mama ""Best"", Ltd"');
    const rows = parseCsv(res.text);
    expect(rows.slice(1).map((r) => [r[3], r[4], r[7], r[8]])).toEqual(orderIds.map((id) => [SELLER_NAME, id, '10.00', 'EUR']));
  });

  it('journal: every entry, signed', async () => {
    const rows = parseCsv((await get('/api/books/exports/journal?account=disbursement', 'text/csv').expect(200)).text);
    expect(rows.slice(1).map((r) => [r[4], r[5]])).toEqual([['disbursement', '-10.00'], ['disbursement', '-10.00'], ['disbursement', '-10.00']]);
  });

  it('a note that a spreadsheet would run as a formula is exported as text', async () => {
    const note = '=HYPERLINK("http://evil.example","click")';
    await store.http.post('/api/books/journals').set(auth).send({
      currency: 'EUR', note, lines: [{ account: 'suspense', amountMinor: 1 }, { account: 'opening_equity', amountMinor: -1 }],
    }).expect(201);
    const rows = parseCsv((await get('/api/books/exports/journal?account=opening_equity', 'text/csv').expect(200)).text);
    expect(rows.slice(1).map((r) => [r[4], r[5], r[7], r[8]])).toEqual([['opening_equity', '-0.01', `'${note}`, 'admin-token']]);
  });

  it('an unknown export is a 404 and a bad period a 400, before anything is written', async () => {
    expect((await get('/api/books/exports/passwords')).status).toBe(404);
    const bad = await get('/api/books/exports/orders?to=soon');
    expect([bad.status, bad.body.error.field]).toEqual([400, 'to']);
    expect((await store.http.get('/api/books/exports/orders')).status).toBe(401);
  });
});
