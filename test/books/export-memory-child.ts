// Run by export-memory.test.ts in processes of its own: `fill` writes the orders into a fresh
// database; `export` streams the orders export to a slow reader while sampling its own RSS, and
// prints one JSON line: the rows written, the bytes read and the highest RSS seen.
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createBooksService } from '../../src/books';
import { applyMigrations, openDatabase, SqliteSql } from '../../src/db';
import { silentLogger } from '../../src/log';

const [mode, dir, countText] = process.argv.slice(2);
const db = openDatabase(join(dir!, 'sokoni.db'));
if (mode === 'fill') fill(Number(countText));
else await exportOrders();
db.close();

function fill(count: number): void {
  applyMigrations(db);
  const T = Date.UTC(2025, 0, 1);
  const seller = '11111111-1111-4111-8111-111111111111';
  const product = '22222222-2222-4222-8222-222222222222';
  db.prepare(`INSERT INTO sellers (id, name, msisdn, share_bps, created_at, updated_at) VALUES (?, 'Seller', '256772000001', 8000, ?, ?)`).run(seller, T, T);
  db.prepare(`INSERT INTO products (id, seller_id, name, price_minor, currency, created_at, updated_at) VALUES (?, ?, 'Mat', 1250, 'EUR', ?, ?)`).run(product, seller, T, T);
  const order = db.prepare(`INSERT INTO orders (id, product_id, seller_id, qty, unit_price_minor, amount_minor, currency, seller_share_bps,
    seller_amount_minor, platform_amount_minor, payer_msisdn, status, created_at, updated_at)
    VALUES (?, ?, ?, 1, 1250, 1250, 'EUR', 8000, 1000, 250, '256772123456', 'settled', ?, ?)`);
  const movement = db.prepare(`INSERT INTO movements (order_id, kind, provider, party_msisdn, amount_minor, currency, reference_id, status,
    financial_transaction_id, created_at, updated_at) VALUES (?, 'collection', 'momo', '256772123456', 1250, 'EUR', ?, 'successful', ?, ?, ?)`);
  const id = (n: number, prefix: string) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const at = T + i * 60_000;
      order.run(id(i, '00000000'), product, seller, at, at);
      movement.run(id(i, '00000000'), id(i, '11111111'), String(1e9 + i), at, at);
    }
  })();
}

async function exportOrders(): Promise<void> {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const timer = setInterval(sample, 20);
  let bytes = 0;
  // A reader slower than the writer, so backpressure, not buffering, has to hold memory down.
  const out = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      setImmediate(done);
    },
  });
  const books = createBooksService({ sql: new SqliteSql(db), timezone: 'Africa/Kampala', log: silentLogger, providers: [] });
  const rows = await books.prepareExport('orders', {})(out);
  sample();
  clearInterval(timer);
  process.stdout.write(`${JSON.stringify({ rows, bytes, peakRssMb: peak / 1024 / 1024 })}\n`);
}
