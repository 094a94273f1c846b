-- Sellers, catalogue, and the checkout workflow's records. Times are milliseconds since the
-- epoch (UTC); money is integer minor units with its ISO 4217 currency beside it.

CREATE TABLE sellers (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  msisdn      TEXT NOT NULL CHECK (msisdn NOT GLOB '*[^0-9]*' AND length(msisdn) BETWEEN 8 AND 15),
  share_bps   INTEGER NOT NULL CHECK (share_bps BETWEEN 0 AND 10000),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE products (
  id           TEXT PRIMARY KEY,
  seller_id    TEXT NOT NULL REFERENCES sellers(id),
  name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  description  TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  price_minor  INTEGER NOT NULL CHECK (price_minor > 0),
  currency     TEXT NOT NULL CHECK (length(currency) = 3),
  active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX products_seller ON products(seller_id);

-- The split is frozen on the order when it is placed, so a later change of a seller's share
-- never changes what an existing order pays out.
CREATE TABLE orders (
  id                     TEXT PRIMARY KEY,
  idempotency_key        TEXT UNIQUE,
  product_id             TEXT NOT NULL REFERENCES products(id),
  seller_id              TEXT NOT NULL REFERENCES sellers(id),
  qty                    INTEGER NOT NULL CHECK (qty BETWEEN 1 AND 100),
  unit_price_minor       INTEGER NOT NULL CHECK (unit_price_minor > 0),
  amount_minor           INTEGER NOT NULL CHECK (amount_minor > 0),
  currency               TEXT NOT NULL,
  seller_share_bps       INTEGER NOT NULL CHECK (seller_share_bps BETWEEN 0 AND 10000),
  seller_amount_minor    INTEGER NOT NULL CHECK (seller_amount_minor >= 0),
  platform_amount_minor  INTEGER NOT NULL CHECK (platform_amount_minor >= 0),
  payer_msisdn           TEXT NOT NULL,
  status                 TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'settled', 'failed', 'payout_failed')),
  created_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL,
  CHECK (seller_amount_minor + platform_amount_minor = amount_minor)
);
CREATE INDEX orders_status ON orders(status);

-- One collection per order. `sending`: the row exists and the request may or may not have
-- reached MoMo; the worker settles that by reading the reference.
CREATE TABLE payments (
  id                        INTEGER PRIMARY KEY,
  order_id                  TEXT NOT NULL UNIQUE REFERENCES orders(id),
  provider                  TEXT NOT NULL DEFAULT 'momo',
  reference_id              TEXT NOT NULL UNIQUE,
  amount_minor              INTEGER NOT NULL CHECK (amount_minor > 0),
  currency                  TEXT NOT NULL,
  status                    TEXT NOT NULL CHECK (status IN ('sending', 'pending', 'successful', 'failed')),
  reason                    TEXT,
  financial_transaction_id  TEXT,
  attempts                  INTEGER NOT NULL DEFAULT 0,  -- create calls sent for this reference
  checks                    INTEGER NOT NULL DEFAULT 0,  -- status reads so far (drives the backoff)
  next_check_at             INTEGER,
  created_at                INTEGER NOT NULL,
  updated_at                INTEGER NOT NULL
);
CREATE INDEX payments_due ON payments(next_check_at) WHERE next_check_at IS NOT NULL;

-- At most one payout per order. Each try at it is an attempt with its own reference; a new
-- attempt may only start once every earlier one is known to have failed.
CREATE TABLE payouts (
  id                        INTEGER PRIMARY KEY,
  order_id                  TEXT NOT NULL UNIQUE REFERENCES orders(id),
  seller_id                 TEXT NOT NULL REFERENCES sellers(id),
  payee_msisdn              TEXT NOT NULL,
  amount_minor              INTEGER NOT NULL CHECK (amount_minor > 0),
  currency                  TEXT NOT NULL,
  reference_id              TEXT NOT NULL UNIQUE,
  status                    TEXT NOT NULL CHECK (status IN ('sending', 'pending', 'successful', 'failed', 'retry_wait')),
  reason                    TEXT,
  financial_transaction_id  TEXT,
  attempts                  INTEGER NOT NULL DEFAULT 1,  -- references tried (rows in payout_attempts)
  checks                    INTEGER NOT NULL DEFAULT 0,  -- status reads of the current attempt
  next_check_at             INTEGER,
  created_at                INTEGER NOT NULL,
  updated_at                INTEGER NOT NULL
);
CREATE INDEX payouts_due ON payouts(next_check_at) WHERE next_check_at IS NOT NULL;

CREATE TABLE payout_attempts (
  reference_id  TEXT PRIMARY KEY,
  payout_id     INTEGER NOT NULL REFERENCES payouts(id),
  status        TEXT NOT NULL CHECK (status IN ('sending', 'pending', 'successful', 'failed')),
  reason        TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX payout_attempts_one_open ON payout_attempts(payout_id) WHERE status <> 'failed';

-- Every change of an order's, payment's or payout's state, as the state machine allowed it.
CREATE TABLE order_events (
  id          INTEGER PRIMARY KEY,
  order_id    TEXT NOT NULL REFERENCES orders(id),
  entity      TEXT NOT NULL CHECK (entity IN ('order', 'payment', 'payout')),
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  detail      TEXT,
  at          INTEGER NOT NULL
);
CREATE INDEX order_events_order ON order_events(order_id);
