// The demo catalogue: a few Kampala market stalls, so a fresh install has something to buy.
// Fixed ids make seeding again update the same rows instead of adding copies. It runs on the
// store's port (issue #17), so `npm start`, `npm run seed` and the tests seed SQLite and
// PostgreSQL alike, with the catalogue's own statements.
import { findCurrency } from '../money';
import { productParams, sellerParams, UPSERT_PRODUCT_SQL, UPSERT_SELLER_SQL } from './catalogue';
import type { Sql } from './sql';

export interface SeedOptions {
  currency: string;
  shareBps: number;
}

export const DEMO_SELLER_IDS = {
  nakato: '5e11e700-0000-4000-8000-000000000001',
  ssemwanga: '5e11e700-0000-4000-8000-000000000002',
  achieng: '5e11e700-0000-4000-8000-000000000003',
} as const;

type SellerKey = keyof typeof DEMO_SELLER_IDS;

// Numbers outside the sandbox's test table, which the sandbox treats as succeeding accounts.
const SELLERS: { key: SellerKey; name: string; msisdn: string }[] = [
  { key: 'nakato', name: 'Nakato Crafts', msisdn: '256772000001' },
  { key: 'ssemwanga', name: 'Ssemwanga Fresh Produce', msisdn: '256772000002' },
  { key: 'achieng', name: "Achieng's Kitenge House", msisdn: '256772000003' },
];

// Prices are given in UGX and in euro cents; other currencies take the euro figure in their
// own major units, kept inside the currency's limits.
const PRODUCTS: { id: string; seller: SellerKey; name: string; description: string; ugx: number; eurCents: number }[] = [
  {
    id: '9a0d0c70-0000-4000-8000-000000000001',
    seller: 'nakato',
    name: 'Woven papyrus basket',
    description: 'Hand-woven in Mukono from papyrus and raffia, with a lid. About 30 cm across.',
    ugx: 45_000,
    eurCents: 12_50,
  },
  {
    id: '9a0d0c70-0000-4000-8000-000000000002',
    seller: 'nakato',
    name: 'Barkcloth table runner',
    description: 'Traditional Buganda barkcloth from the mutuba tree, 1.5 m long.',
    ugx: 60_000,
    eurCents: 16_00,
  },
  {
    id: '9a0d0c70-0000-4000-8000-000000000003',
    seller: 'ssemwanga',
    name: 'Matooke bunch',
    description: 'A fresh bunch of green cooking bananas from Masaka, picked this week.',
    ugx: 25_000,
    eurCents: 6_00,
  },
  {
    id: '9a0d0c70-0000-4000-8000-000000000004',
    seller: 'ssemwanga',
    name: 'Roasted groundnuts, 1 kg',
    description: 'Red groundnuts roasted in the shell the morning they go on sale.',
    ugx: 12_000,
    eurCents: 3_20,
  },
  {
    id: '9a0d0c70-0000-4000-8000-000000000005',
    seller: 'achieng',
    name: 'Kitenge fabric, 6 yards',
    description: 'Bright wax-print cotton, enough for a gomesi or two shirts.',
    ugx: 55_000,
    eurCents: 14_00,
  },
  {
    id: '9a0d0c70-0000-4000-8000-000000000006',
    seller: 'achieng',
    name: 'Beaded sandals',
    description: 'Leather sandals with Maasai-style beadwork, made to order in sizes 36 to 44.',
    ugx: 35_000,
    eurCents: 9_50,
  },
];

export const DEMO_PRODUCT_IDS: readonly string[] = PRODUCTS.map((p) => p.id);

function demoPrice(product: (typeof PRODUCTS)[number], currencyCode: string): number {
  if (currencyCode === 'UGX') return product.ugx;
  if (currencyCode === 'EUR') return product.eurCents;
  const currency = findCurrency(currencyCode);
  if (!currency) throw new Error(`unsupported currency ${currencyCode}`);
  const minor = Math.round((product.eurCents * 10 ** currency.exponent) / 100);
  return Math.min(Math.max(minor, currency.minMinor), currency.maxMinor);
}

/**
 * Several instances may start at once on one PostgreSQL: each seeds under this transaction-level
 * advisory lock, so the second finds the first one's sellers instead of racing it into the
 * unique index on active sellers' numbers. Any constant no other lock uses ("seed" in ASCII).
 */
const SEED_LOCK = 0x73656564;

/** Inserts or refreshes the demo sellers and products, all in one transaction. */
export async function seedDemoCatalogue(sql: Sql, options: SeedOptions): Promise<{ sellers: number; products: number }> {
  const now = Date.now();
  await sql.transaction(async (tx) => {
    for (const seller of SELLERS) {
      const input = { name: seller.name, msisdn: seller.msisdn, shareBps: options.shareBps };
      await tx.run(UPSERT_SELLER_SQL, sellerParams(DEMO_SELLER_IDS[seller.key], input, now));
    }
    for (const product of PRODUCTS) {
      const input = {
        sellerId: DEMO_SELLER_IDS[product.seller],
        name: product.name,
        description: product.description,
        priceMinor: demoPrice(product, options.currency),
        currency: options.currency,
        active: true,
      };
      await tx.run(UPSERT_PRODUCT_SQL, productParams(product.id, input, now));
    }
  });
  return { sellers: SELLERS.length, products: PRODUCTS.length };
}

/** Seeds only a database with no sellers yet; true when it did. */
export function ensureDemoCatalogue(sql: Sql, options: SeedOptions): Promise<boolean> {
  return sql.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?) AS locked', [SEED_LOCK]);
    const row = await tx.get<{ sellers: number }>('SELECT count(*) AS sellers FROM sellers');
    if (Number(row?.sellers ?? 0) > 0) return false;
    await seedDemoCatalogue(tx, options);
    return true;
  });
}

/**
 * The seed options for this deployment, or null when there should be no demo catalogue:
 * the demo sellers' numbers are made up, and outside the sandbox a payout to them would send
 * real money to whoever owns them. The sandbox only takes EUR.
 */
export function demoSeedOptions(targetEnvironment: string, shareBps: number): SeedOptions | null {
  return targetEnvironment === 'sandbox' ? { currency: 'EUR', shareBps } : null;
}
