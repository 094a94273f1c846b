-- PostgreSQL's twin of migrations/006_refunds.sql: refunds (issue #14), a third kind of movement.
-- SQLite rebuilt movements, order_events and journals to widen their CHECKs; here they are
-- replaced in place.

-- Movements: the kind `refund` (several per order; it may wait for funds and retry like a
-- payout), and `cancelled` for a payout that had not left when a full refund took it back.
ALTER TABLE movements
  DROP CONSTRAINT movements_kind_check,
  ADD CONSTRAINT movements_kind_check CHECK (kind IN ('collection', 'payout', 'refund')),
  DROP CONSTRAINT movements_status_check,
  ADD CONSTRAINT movements_status_check CHECK (status IN ('sending', 'pending', 'successful', 'failed', 'retry_wait',
    'abandoned', 'waiting_funds', 'cancelled')),
  DROP CONSTRAINT movements_waits_only_outgoing,
  ADD CONSTRAINT movements_waits_only_outgoing CHECK (kind IN ('payout', 'refund') OR status NOT IN ('retry_wait', 'waiting_funds')),
  ADD CONSTRAINT movements_cancelled_only_payout CHECK (kind = 'payout' OR status <> 'cancelled');

-- Events name a refund movement by its kind too.
ALTER TABLE order_events
  DROP CONSTRAINT order_events_entity_check,
  ADD CONSTRAINT order_events_entity_check CHECK (entity IN ('order', 'collection', 'payout', 'refund'));

-- Journals: a refund's money has its own kind.
ALTER TABLE journals
  DROP CONSTRAINT journals_kind_check,
  ADD CONSTRAINT journals_kind_check CHECK (kind IN ('collection', 'payout', 'suspense', 'operator', 'refund'));

-- A refund as asked for: by whom, why, how it splits, who approved or declined it, and the
-- movement that gives the money back once approved.
CREATE TABLE refunds (
  id                    TEXT PRIMARY KEY,
  order_id              TEXT NOT NULL REFERENCES orders(id),
  -- The order's seller, frozen here so that paying a seller asks "any refunds?" of this table
  -- alone rather than of every order they ever sold.
  seller_id             TEXT NOT NULL REFERENCES sellers(id),
  amount_minor          BIGINT NOT NULL CHECK (amount_minor > 0),
  currency              TEXT NOT NULL CHECK (length(currency) = 3),
  seller_part_minor     BIGINT NOT NULL CHECK (seller_part_minor >= 0),
  platform_part_minor   BIGINT NOT NULL CHECK (platform_part_minor >= 0),
  -- Money that arrived against a failed order: neither side's share, it clears suspense.
  from_suspense         BIGINT NOT NULL DEFAULT 0 CHECK (from_suspense IN (0, 1)),
  -- How much of the seller's part was taken off the order's payout before it left; the rest
  -- is clawed back from the seller's payable (and netted from their next payouts).
  payout_reduced_minor  BIGINT NOT NULL DEFAULT 0 CHECK (payout_reduced_minor >= 0 AND payout_reduced_minor <= seller_part_minor),
  reason                TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  state                 TEXT NOT NULL CHECK (state IN ('pending_approval', 'approved', 'declined', 'expired', 'refunded', 'failed')),
  requested_by          TEXT NOT NULL,
  requested_by_id       TEXT,
  approved_by           TEXT,
  declined_by           TEXT,
  decline_reason        TEXT CHECK (decline_reason IS NULL OR length(decline_reason) BETWEEN 1 AND 500),
  movement_id           BIGINT UNIQUE REFERENCES movements(id),
  idempotency_key       TEXT UNIQUE,
  created_at            BIGINT NOT NULL,
  updated_at            BIGINT NOT NULL,
  expires_at            BIGINT NOT NULL,
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
