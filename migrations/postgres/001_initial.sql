-- PostgreSQL's twin of migrations/001_initial.sql (same name, so schema_migrations agrees; the
-- schema is kept in step by test/db/schema-compare.test.ts). Integers are BIGINT: times are
-- milliseconds since the epoch (UTC), money is integer minor units. Row ids SQLite gives by rowid
-- are identity columns. A PostgreSQL database starts empty at 001 (nothing is copied from a
-- SQLite file), so the data moves of SQLite's later migrations have nothing to move and are left out.

CREATE TABLE sellers (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  msisdn      TEXT NOT NULL CHECK (msisdn !~ '[^0-9]' AND length(msisdn) BETWEEN 8 AND 15),
  share_bps   BIGINT NOT NULL CHECK (share_bps BETWEEN 0 AND 10000),
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);

CREATE TABLE products (
  id           TEXT PRIMARY KEY,
  seller_id    TEXT NOT NULL REFERENCES sellers(id),
  name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  description  TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  price_minor  BIGINT NOT NULL CHECK (price_minor > 0),
  currency     TEXT NOT NULL CHECK (length(currency) = 3),
  active       BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL
);
CREATE INDEX products_seller ON products(seller_id);

-- The split is frozen on the order when it is placed, so a later change of a seller's share
-- never changes what an existing order pays out.
CREATE TABLE orders (
  id                     TEXT PRIMARY KEY,
  idempotency_key        TEXT UNIQUE,
  product_id             TEXT NOT NULL REFERENCES products(id),
  seller_id              TEXT NOT NULL REFERENCES sellers(id),
  qty                    BIGINT NOT NULL CHECK (qty BETWEEN 1 AND 100),
  unit_price_minor       BIGINT NOT NULL CHECK (unit_price_minor > 0),
  amount_minor           BIGINT NOT NULL CHECK (amount_minor > 0),
  currency               TEXT NOT NULL,
  seller_share_bps       BIGINT NOT NULL CHECK (seller_share_bps BETWEEN 0 AND 10000),
  seller_amount_minor    BIGINT NOT NULL CHECK (seller_amount_minor >= 0),
  platform_amount_minor  BIGINT NOT NULL CHECK (platform_amount_minor >= 0),
  payer_msisdn           TEXT NOT NULL,
  status                 TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'settled', 'failed', 'payout_failed')),
  created_at             BIGINT NOT NULL,
  updated_at             BIGINT NOT NULL,
  CHECK (seller_amount_minor + platform_amount_minor = amount_minor)
);
CREATE INDEX orders_status ON orders(status);

-- payments, payouts and payout_attempts: replaced by movements in 002, made here so that every
-- version of the schema has its twin.
CREATE TABLE payments (
  id                        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id                  TEXT NOT NULL UNIQUE REFERENCES orders(id),
  provider                  TEXT NOT NULL DEFAULT 'momo',
  reference_id              TEXT NOT NULL UNIQUE,
  amount_minor              BIGINT NOT NULL CHECK (amount_minor > 0),
  currency                  TEXT NOT NULL,
  status                    TEXT NOT NULL CHECK (status IN ('sending', 'pending', 'successful', 'failed')),
  reason                    TEXT,
  financial_transaction_id  TEXT,
  attempts                  BIGINT NOT NULL DEFAULT 0,
  checks                    BIGINT NOT NULL DEFAULT 0,
  next_check_at             BIGINT,
  created_at                BIGINT NOT NULL,
  updated_at                BIGINT NOT NULL
);
CREATE INDEX payments_due ON payments(next_check_at) WHERE next_check_at IS NOT NULL;

CREATE TABLE payouts (
  id                        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id                  TEXT NOT NULL UNIQUE REFERENCES orders(id),
  seller_id                 TEXT NOT NULL REFERENCES sellers(id),
  payee_msisdn              TEXT NOT NULL,
  amount_minor              BIGINT NOT NULL CHECK (amount_minor > 0),
  currency                  TEXT NOT NULL,
  reference_id              TEXT NOT NULL UNIQUE,
  status                    TEXT NOT NULL CHECK (status IN ('sending', 'pending', 'successful', 'failed', 'retry_wait')),
  reason                    TEXT,
  financial_transaction_id  TEXT,
  attempts                  BIGINT NOT NULL DEFAULT 1,
  checks                    BIGINT NOT NULL DEFAULT 0,
  next_check_at             BIGINT,
  created_at                BIGINT NOT NULL,
  updated_at                BIGINT NOT NULL
);
CREATE INDEX payouts_due ON payouts(next_check_at) WHERE next_check_at IS NOT NULL;

CREATE TABLE payout_attempts (
  reference_id  TEXT PRIMARY KEY,
  payout_id     BIGINT NOT NULL REFERENCES payouts(id),
  status        TEXT NOT NULL CHECK (status IN ('sending', 'pending', 'successful', 'failed')),
  reason        TEXT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX payout_attempts_one_open ON payout_attempts(payout_id) WHERE status <> 'failed';

-- Every change of an order's, payment's or payout's state, as the state machine allowed it.
CREATE TABLE order_events (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id    TEXT NOT NULL REFERENCES orders(id),
  entity      TEXT NOT NULL CONSTRAINT order_events_entity_check CHECK (entity IN ('order', 'payment', 'payout')),
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  detail      TEXT,
  at          BIGINT NOT NULL
);
CREATE INDEX order_events_order ON order_events(order_id);
