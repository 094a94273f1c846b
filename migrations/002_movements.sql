-- One table for every followed money movement (issue #11). A collection and a payout were two
-- tables followed by two copies of the same code; a refund would have been a third. Each
-- movement names its provider, keeps the reference it is sent with (written before the
-- request leaves), and its due check. The worker's lease is explicit (`leased_until`,
-- `leased_by`) instead of being inferred from `next_check_at = updated_at + 60 s`.
CREATE TABLE movements (
  id                        INTEGER PRIMARY KEY,
  order_id                  TEXT NOT NULL REFERENCES orders(id),
  kind                      TEXT NOT NULL CHECK (kind IN ('collection', 'payout')),
  provider                  TEXT NOT NULL,
  -- The payer of a collection, the payee of a payout.
  party_msisdn              TEXT NOT NULL,
  amount_minor              INTEGER NOT NULL CHECK (amount_minor > 0),
  currency                  TEXT NOT NULL,
  -- The current attempt's reference; every attempt's is in movement_attempts.
  reference_id              TEXT NOT NULL UNIQUE,
  -- abandoned: a collection never accepted within PAY_SEND_DEADLINE_S; its order has failed, but
  -- its reference is still read until the approval window has surely passed, in case it arrived.
  -- waiting_funds: a payout refused for lack of funds, sent again once the balance covers it.
  status                    TEXT NOT NULL CHECK (status IN ('sending', 'pending', 'successful', 'failed', 'retry_wait',
                              'abandoned', 'waiting_funds')),
  reason                    TEXT,
  financial_transaction_id  TEXT,
  attempts                  INTEGER NOT NULL DEFAULT 1,  -- references tried (rows in movement_attempts)
  funds_waits               INTEGER NOT NULL DEFAULT 0,  -- attempts that failed for lack of funds (not counted against the limit)
  sends                     INTEGER NOT NULL DEFAULT 0,  -- create calls sent for the current reference
  checks                    INTEGER NOT NULL DEFAULT 0,  -- status reads of the current attempt (drive the backoff)
  -- When the provider first accepted the current attempt: a payer's approval window runs from then.
  accepted_at               INTEGER,
  next_check_at             INTEGER,
  leased_until              INTEGER,
  leased_by                 TEXT,
  -- A callback asked for a read while the row was leased: read it again as soon as the step ends.
  read_requested            INTEGER NOT NULL DEFAULT 0 CHECK (read_requested IN (0, 1)),
  created_at                INTEGER NOT NULL,
  updated_at                INTEGER NOT NULL,
  CHECK (kind = 'payout' OR status NOT IN ('retry_wait', 'waiting_funds')),
  CHECK (kind = 'collection' OR status <> 'abandoned')
);
-- One collection and at most one payout per order (refunds, later, may be several).
CREATE UNIQUE INDEX movements_one_per_order ON movements(order_id, kind) WHERE kind IN ('collection', 'payout');
CREATE INDEX movements_due ON movements(next_check_at) WHERE next_check_at IS NOT NULL;
-- "Did this phone just pay for this basket?" before a second order for it.
CREATE INDEX orders_payer ON orders(payer_msisdn, created_at);

-- Each try at a movement, with its own reference. A new attempt may only start once every
-- earlier one is known to have failed: the partial unique index makes that a constraint.
CREATE TABLE movement_attempts (
  reference_id  TEXT PRIMARY KEY,
  movement_id   INTEGER NOT NULL REFERENCES movements(id),
  party_msisdn  TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('sending', 'pending', 'successful', 'failed')),
  reason        TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX movement_attempts_one_open ON movement_attempts(movement_id) WHERE status <> 'failed';

-- Existing rows, in every state. A pending row that held the old inferred lease
-- (next_check_at = updated_at + 60 s) is due at once, as the old start-up made it.
INSERT INTO movements (order_id, kind, provider, party_msisdn, amount_minor, currency, reference_id, status, reason,
  financial_transaction_id, attempts, sends, checks, accepted_at, next_check_at, created_at, updated_at)
SELECT p.order_id, 'collection', p.provider, o.payer_msisdn, p.amount_minor, p.currency, p.reference_id, p.status, p.reason,
  p.financial_transaction_id, 1, p.attempts, p.checks, CASE WHEN p.status = 'sending' THEN NULL ELSE p.created_at END,
  CASE WHEN p.status = 'pending' AND p.next_check_at = p.updated_at + 60000 THEN p.updated_at ELSE p.next_check_at END,
  p.created_at, p.updated_at
FROM payments p JOIN orders o ON o.id = p.order_id ORDER BY p.id;

INSERT INTO movement_attempts (reference_id, movement_id, party_msisdn, status, reason, created_at, updated_at)
SELECT m.reference_id, m.id, m.party_msisdn, m.status, m.reason, m.created_at, m.updated_at
FROM movements m WHERE m.kind = 'collection';

INSERT INTO movements (order_id, kind, provider, party_msisdn, amount_minor, currency, reference_id, status, reason,
  financial_transaction_id, attempts, sends, checks, accepted_at, next_check_at, created_at, updated_at)
SELECT p.order_id, 'payout', 'momo', p.payee_msisdn, p.amount_minor, p.currency, p.reference_id, p.status, p.reason,
  p.financial_transaction_id, p.attempts, 1, p.checks, CASE WHEN p.status IN ('sending', 'retry_wait') THEN NULL ELSE p.updated_at END,
  CASE WHEN p.status = 'pending' AND p.next_check_at = p.updated_at + 60000 THEN p.updated_at ELSE p.next_check_at END,
  p.created_at, p.updated_at
FROM payouts p ORDER BY p.id;

INSERT INTO movement_attempts (reference_id, movement_id, party_msisdn, status, reason, created_at, updated_at)
SELECT a.reference_id, m.id, p.payee_msisdn, a.status, a.reason, a.created_at, a.updated_at
FROM payout_attempts a JOIN payouts p ON p.id = a.payout_id JOIN movements m ON m.order_id = p.order_id AND m.kind = 'payout';

DROP TABLE payout_attempts;
DROP TABLE payouts;
DROP TABLE payments;

-- Events name movements by their kind: 'payment' becomes 'collection'.
CREATE TABLE order_events_new (
  id          INTEGER PRIMARY KEY,
  order_id    TEXT NOT NULL REFERENCES orders(id),
  entity      TEXT NOT NULL CHECK (entity IN ('order', 'collection', 'payout')),
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  detail      TEXT,
  at          INTEGER NOT NULL
);
INSERT INTO order_events_new (id, order_id, entity, from_state, to_state, detail, at)
SELECT id, order_id, CASE entity WHEN 'payment' THEN 'collection' ELSE entity END, from_state, to_state, detail, at FROM order_events;
DROP TABLE order_events;
ALTER TABLE order_events_new RENAME TO order_events;
CREATE INDEX order_events_order ON order_events(order_id);
