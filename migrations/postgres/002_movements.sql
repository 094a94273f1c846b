-- PostgreSQL's twin of migrations/002_movements.sql: one table for every followed money movement
-- (issue #11). The CHECKs that 006 widens are named here so that it can replace them.
CREATE TABLE movements (
  id                        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id                  TEXT NOT NULL REFERENCES orders(id),
  kind                      TEXT NOT NULL CONSTRAINT movements_kind_check CHECK (kind IN ('collection', 'payout')),
  provider                  TEXT NOT NULL,
  -- The payer of a collection, the payee of a payout.
  party_msisdn              TEXT NOT NULL,
  amount_minor              BIGINT NOT NULL CHECK (amount_minor > 0),
  currency                  TEXT NOT NULL,
  -- The current attempt's reference; every attempt's is in movement_attempts.
  reference_id              TEXT NOT NULL UNIQUE,
  status                    TEXT NOT NULL CONSTRAINT movements_status_check CHECK (status IN ('sending', 'pending', 'successful', 'failed',
                              'retry_wait', 'abandoned', 'waiting_funds')),
  reason                    TEXT,
  financial_transaction_id  TEXT,
  attempts                  BIGINT NOT NULL DEFAULT 1,
  funds_waits               BIGINT NOT NULL DEFAULT 0,
  sends                     BIGINT NOT NULL DEFAULT 0,
  checks                    BIGINT NOT NULL DEFAULT 0,
  accepted_at               BIGINT,
  next_check_at             BIGINT,
  leased_until              BIGINT,
  leased_by                 TEXT,
  read_requested            BIGINT NOT NULL DEFAULT 0 CHECK (read_requested IN (0, 1)),
  created_at                BIGINT NOT NULL,
  updated_at                BIGINT NOT NULL,
  CONSTRAINT movements_waits_only_outgoing CHECK (kind = 'payout' OR status NOT IN ('retry_wait', 'waiting_funds')),
  CONSTRAINT movements_abandoned_only_collection CHECK (kind = 'collection' OR status <> 'abandoned')
);
-- One collection and at most one payout per order.
CREATE UNIQUE INDEX movements_one_per_order ON movements(order_id, kind) WHERE kind IN ('collection', 'payout');
CREATE INDEX movements_due ON movements(next_check_at) WHERE next_check_at IS NOT NULL;
-- "Did this phone just pay for this basket?" before a second order for it.
CREATE INDEX orders_payer ON orders(payer_msisdn, created_at);

-- A new attempt may only start once every earlier one is known to have failed: the partial
-- unique index makes that a constraint.
CREATE TABLE movement_attempts (
  reference_id  TEXT PRIMARY KEY,
  movement_id   BIGINT NOT NULL REFERENCES movements(id),
  party_msisdn  TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('sending', 'pending', 'successful', 'failed')),
  reason        TEXT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX movement_attempts_one_open ON movement_attempts(movement_id) WHERE status <> 'failed';

DROP TABLE payout_attempts;
DROP TABLE payouts;
DROP TABLE payments;

-- Events name movements by their kind: 'payment' becomes 'collection' (SQLite rebuilt the table).
ALTER TABLE order_events DROP CONSTRAINT order_events_entity_check,
  ADD CONSTRAINT order_events_entity_check CHECK (entity IN ('order', 'collection', 'payout'));
