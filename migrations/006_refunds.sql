-- Refunds (issue #14): a refund is a third kind of movement, and each is asked for by a person,
-- approved by a second one above REFUND_APPROVAL_THRESHOLD, and split between the seller and the
-- platform. SQLite cannot change a CHECK, so the tables whose CHECK names kinds are rebuilt (the
-- recipe of migration 002: copy, drop, rename; foreign keys are off while a migration runs).

-- Movements: the kind `refund` (several per order; it may wait for funds and retry like a
-- payout), and `cancelled` for a payout that had not left when a full refund took it back.
CREATE TABLE movements_new (
  id                        INTEGER PRIMARY KEY,
  order_id                  TEXT NOT NULL REFERENCES orders(id),
  kind                      TEXT NOT NULL CHECK (kind IN ('collection', 'payout', 'refund')),
  provider                  TEXT NOT NULL,
  -- The payer of a collection, the payee of a payout, the payer given back to by a refund.
  party_msisdn              TEXT NOT NULL,
  amount_minor              INTEGER NOT NULL CHECK (amount_minor > 0),
  currency                  TEXT NOT NULL,
  reference_id              TEXT NOT NULL UNIQUE,
  status                    TEXT NOT NULL CHECK (status IN ('sending', 'pending', 'successful', 'failed', 'retry_wait',
                              'abandoned', 'waiting_funds', 'cancelled')),
  reason                    TEXT,
  financial_transaction_id  TEXT,
  attempts                  INTEGER NOT NULL DEFAULT 1,
  funds_waits               INTEGER NOT NULL DEFAULT 0,
  sends                     INTEGER NOT NULL DEFAULT 0,
  checks                    INTEGER NOT NULL DEFAULT 0,
  accepted_at               INTEGER,
  next_check_at             INTEGER,
  leased_until              INTEGER,
  leased_by                 TEXT,
  read_requested            INTEGER NOT NULL DEFAULT 0 CHECK (read_requested IN (0, 1)),
  created_at                INTEGER NOT NULL,
  updated_at                INTEGER NOT NULL,
  CHECK (kind IN ('payout', 'refund') OR status NOT IN ('retry_wait', 'waiting_funds')),
  CHECK (kind = 'collection' OR status <> 'abandoned'),
  CHECK (kind = 'payout' OR status <> 'cancelled')
);
INSERT INTO movements_new SELECT id, order_id, kind, provider, party_msisdn, amount_minor, currency, reference_id, status, reason,
  financial_transaction_id, attempts, funds_waits, sends, checks, accepted_at, next_check_at, leased_until, leased_by, read_requested,
  created_at, updated_at FROM movements;
DROP TABLE movements;
ALTER TABLE movements_new RENAME TO movements;
-- One collection and at most one payout per order; refunds may be several (one open at a time,
-- which the refunds table's own index keeps).
CREATE UNIQUE INDEX movements_one_per_order ON movements(order_id, kind) WHERE kind IN ('collection', 'payout');
CREATE INDEX movements_due ON movements(next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX movements_order ON movements(order_id, kind);
CREATE INDEX movements_financial_transaction ON movements(financial_transaction_id) WHERE financial_transaction_id IS NOT NULL;

-- Events name a refund movement by its kind too.
CREATE TABLE order_events_new (
  id          INTEGER PRIMARY KEY,
  order_id    TEXT NOT NULL REFERENCES orders(id),
  entity      TEXT NOT NULL CHECK (entity IN ('order', 'collection', 'payout', 'refund')),
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  detail      TEXT,
  at          INTEGER NOT NULL
);
INSERT INTO order_events_new SELECT id, order_id, entity, from_state, to_state, detail, at FROM order_events;
DROP TABLE order_events;
ALTER TABLE order_events_new RENAME TO order_events;
CREATE INDEX order_events_order ON order_events(order_id);

-- Journals: a refund's money has its own kind. The append-only triggers go with the old table
-- (DROP TABLE fires no trigger) and are made again on the new one.
CREATE TABLE journals_new (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('collection', 'payout', 'suspense', 'operator', 'refund')),
  currency     TEXT NOT NULL CHECK (length(currency) = 3),
  order_id     TEXT REFERENCES orders(id),
  movement_id  INTEGER REFERENCES movements(id),
  note         TEXT CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500),
  posted_by    TEXT,
  at           INTEGER NOT NULL,
  CHECK (kind <> 'operator' OR (note IS NOT NULL AND posted_by IS NOT NULL))
);
INSERT INTO journals_new SELECT id, kind, currency, order_id, movement_id, note, posted_by, at FROM journals;
-- The entries' currency trigger reads journals by name: it must not outlive the table it reads.
DROP TRIGGER entries_journal_currency;
DROP TABLE journals;
ALTER TABLE journals_new RENAME TO journals;
CREATE UNIQUE INDEX journals_one_per_movement ON journals(movement_id) WHERE movement_id IS NOT NULL;
CREATE INDEX journals_at ON journals(at, id);
CREATE TRIGGER journals_append_only_update BEFORE UPDATE ON journals
BEGIN SELECT RAISE(ABORT, 'journals are append-only: post a correcting journal'); END;
CREATE TRIGGER journals_append_only_delete BEFORE DELETE ON journals
BEGIN SELECT RAISE(ABORT, 'journals are append-only: post a correcting journal'); END;
CREATE TRIGGER entries_journal_currency BEFORE INSERT ON entries
WHEN NEW.currency <> (SELECT currency FROM journals WHERE id = NEW.journal_id)
BEGIN SELECT RAISE(ABORT, 'an entry must be in its journal''s currency'); END;

-- A refund as asked for: by whom, why, how it splits, who approved or declined it, and the
-- movement that gives the money back once approved.
CREATE TABLE refunds (
  id                    TEXT PRIMARY KEY,
  order_id              TEXT NOT NULL REFERENCES orders(id),
  -- The order's seller, frozen here so that paying a seller asks "any refunds?" of this table
  -- alone rather than of every order they ever sold.
  seller_id             TEXT NOT NULL REFERENCES sellers(id),
  amount_minor          INTEGER NOT NULL CHECK (amount_minor > 0),
  currency              TEXT NOT NULL CHECK (length(currency) = 3),
  seller_part_minor     INTEGER NOT NULL CHECK (seller_part_minor >= 0),
  platform_part_minor   INTEGER NOT NULL CHECK (platform_part_minor >= 0),
  -- Money that arrived against a failed order: neither side's share, it clears suspense.
  from_suspense         INTEGER NOT NULL DEFAULT 0 CHECK (from_suspense IN (0, 1)),
  -- How much of the seller's part was taken off the order's payout before it left; the rest
  -- is clawed back from the seller's payable (and netted from their next payouts).
  payout_reduced_minor  INTEGER NOT NULL DEFAULT 0 CHECK (payout_reduced_minor >= 0 AND payout_reduced_minor <= seller_part_minor),
  reason                TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  state                 TEXT NOT NULL CHECK (state IN ('pending_approval', 'approved', 'declined', 'expired', 'refunded', 'failed')),
  requested_by          TEXT NOT NULL,
  requested_by_id       TEXT,
  approved_by           TEXT,
  declined_by           TEXT,
  decline_reason        TEXT CHECK (decline_reason IS NULL OR length(decline_reason) BETWEEN 1 AND 500),
  movement_id           INTEGER UNIQUE REFERENCES movements(id),
  idempotency_key       TEXT UNIQUE,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  expires_at            INTEGER NOT NULL,
  CHECK (from_suspense = 1 OR seller_part_minor + platform_part_minor = amount_minor),
  CHECK (from_suspense = 0 OR (seller_part_minor = 0 AND platform_part_minor = 0)),
  -- Nothing leaves before approval: a movement exists exactly when the refund was approved.
  CHECK ((movement_id IS NOT NULL) = (state IN ('approved', 'refunded', 'failed')))
);
-- At most one open refund per order: a second waits until the first is final.
CREATE UNIQUE INDEX refunds_one_open ON refunds(order_id) WHERE state IN ('pending_approval', 'approved');
CREATE INDEX refunds_order ON refunds(order_id, created_at);
CREATE INDEX refunds_seller ON refunds(seller_id, currency, state);
CREATE INDEX refunds_expiring ON refunds(expires_at) WHERE state = 'pending_approval';
