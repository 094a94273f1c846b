-- The books (issue #12): a double-entry ledger in the store's database, and reconciliation
-- against the provider. Account codes and their kinds are listed in src/books/accounts.ts.
--
-- An entry's amount is signed: a debit is positive, a credit negative, so a journal balances
-- when its entries sum to zero (src/books/ledger.ts refuses one that does not). Every journal is
-- in one currency. Corrections are new journals: the triggers below refuse UPDATE and DELETE.
CREATE TABLE journals (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('collection', 'payout', 'suspense', 'operator')),
  currency     TEXT NOT NULL CHECK (length(currency) = 3),
  order_id     TEXT REFERENCES orders(id),
  movement_id  INTEGER REFERENCES movements(id),
  note         TEXT CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500),
  -- Who posted an operator journal; NULL for what the workflow posts.
  posted_by    TEXT,
  at           INTEGER NOT NULL,
  CHECK (kind <> 'operator' OR (note IS NOT NULL AND posted_by IS NOT NULL))
);
-- A movement's money is booked once, however often its final state is looked at.
CREATE UNIQUE INDEX journals_one_per_movement ON journals(movement_id) WHERE movement_id IS NOT NULL;
CREATE INDEX journals_at ON journals(at, id);

CREATE TABLE entries (
  id            INTEGER PRIMARY KEY,
  journal_id    INTEGER NOT NULL REFERENCES journals(id),
  -- 'collection', 'disbursement', 'platform_revenue', 'refunds_payable', 'suspense',
  -- 'opening_equity', or 'seller_payable:<seller id>'.
  account       TEXT NOT NULL,
  seller_id     TEXT REFERENCES sellers(id),
  currency      TEXT NOT NULL,
  amount_minor  INTEGER NOT NULL CHECK (amount_minor <> 0),
  at            INTEGER NOT NULL,
  CHECK ((account = 'seller_payable:' || seller_id) OR (seller_id IS NULL AND account NOT LIKE 'seller_payable:%'))
);
CREATE INDEX entries_journal ON entries(journal_id);
CREATE INDEX entries_account ON entries(account, currency, at, id);

CREATE TRIGGER journals_append_only_update BEFORE UPDATE ON journals
BEGIN SELECT RAISE(ABORT, 'journals are append-only: post a correcting journal'); END;
CREATE TRIGGER journals_append_only_delete BEFORE DELETE ON journals
BEGIN SELECT RAISE(ABORT, 'journals are append-only: post a correcting journal'); END;
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: post a correcting journal'); END;
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: post a correcting journal'); END;
CREATE TRIGGER entries_journal_currency BEFORE INSERT ON entries
WHEN NEW.currency <> (SELECT currency FROM journals WHERE id = NEW.journal_id)
BEGIN SELECT RAISE(ABORT, 'an entry must be in its journal''s currency'); END;

-- A reconciliation run over a period, and each difference it found. An item is resolved by an
-- operator with a note; the item itself is kept.
CREATE TABLE reconciliations (
  id              INTEGER PRIMARY KEY,
  from_at         INTEGER NOT NULL,
  to_at           INTEGER NOT NULL,
  started_by      TEXT NOT NULL,
  started_at      INTEGER NOT NULL,
  finished_at     INTEGER,
  checked         INTEGER NOT NULL DEFAULT 0,
  matched         INTEGER NOT NULL DEFAULT 0,
  -- Attempts still in flight at Sokoni: not compared, the engine is still following them.
  open            INTEGER NOT NULL DEFAULT 0,
  -- The run could not finish (the provider stopped answering); its items so far are kept.
  error           TEXT
);

CREATE TABLE reconciliation_items (
  id                 INTEGER PRIMARY KEY,
  reconciliation_id  INTEGER NOT NULL REFERENCES reconciliations(id),
  kind               TEXT NOT NULL CHECK (kind IN ('status', 'amount', 'currency', 'unknown', 'balance')),
  movement_id        INTEGER REFERENCES movements(id),
  reference_id       TEXT,
  order_id           TEXT REFERENCES orders(id),
  -- For a balance difference: 'collection' or 'disbursement'.
  account            TEXT,
  currency           TEXT,
  expected           TEXT NOT NULL,
  actual             TEXT NOT NULL,
  resolved_at        INTEGER,
  resolved_by        TEXT,
  resolution_note    TEXT CHECK (resolution_note IS NULL OR length(resolution_note) BETWEEN 1 AND 500),
  CHECK ((resolved_at IS NULL) = (resolution_note IS NULL))
);
CREATE INDEX reconciliation_items_open ON reconciliation_items(reconciliation_id) WHERE resolved_at IS NULL;

-- A resolved item stays resolved: only the first resolution is written.
CREATE TRIGGER reconciliation_items_resolve_once BEFORE UPDATE ON reconciliation_items
WHEN OLD.resolved_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a resolved reconciliation item is kept as it was resolved'); END;
CREATE TRIGGER reconciliation_items_no_delete BEFORE DELETE ON reconciliation_items
BEGIN SELECT RAISE(ABORT, 'reconciliation items are kept'); END;

-- The books start complete: every existing order's money, as the workflow would have posted it.
-- Each journal is keyed by its movement, so its entries find it by movement_id.
INSERT INTO journals (kind, currency, order_id, movement_id, at)
SELECT m.kind, m.currency, m.order_id, m.id, m.updated_at
FROM movements m WHERE m.status = 'successful' ORDER BY m.updated_at, m.id;

-- A collection: the money is in MoMo's collection account; the seller is owed their frozen
-- share and the platform has earned the rest.
INSERT INTO entries (journal_id, account, seller_id, currency, amount_minor, at)
SELECT j.id, 'collection', NULL, j.currency, o.amount_minor, j.at
FROM journals j JOIN orders o ON o.id = j.order_id WHERE j.kind = 'collection';
INSERT INTO entries (journal_id, account, seller_id, currency, amount_minor, at)
SELECT j.id, 'seller_payable:' || o.seller_id, o.seller_id, j.currency, -o.seller_amount_minor, j.at
FROM journals j JOIN orders o ON o.id = j.order_id WHERE j.kind = 'collection' AND o.seller_amount_minor > 0;
INSERT INTO entries (journal_id, account, seller_id, currency, amount_minor, at)
SELECT j.id, 'platform_revenue', NULL, j.currency, -o.platform_amount_minor, j.at
FROM journals j JOIN orders o ON o.id = j.order_id WHERE j.kind = 'collection' AND o.platform_amount_minor > 0;

-- A payout: the seller is owed that much less, and it left MoMo's disbursement account.
INSERT INTO entries (journal_id, account, seller_id, currency, amount_minor, at)
SELECT j.id, 'seller_payable:' || o.seller_id, o.seller_id, j.currency, m.amount_minor, j.at
FROM journals j JOIN movements m ON m.id = j.movement_id JOIN orders o ON o.id = j.order_id WHERE j.kind = 'payout';
INSERT INTO entries (journal_id, account, seller_id, currency, amount_minor, at)
SELECT j.id, 'disbursement', NULL, j.currency, -m.amount_minor, j.at
FROM journals j JOIN movements m ON m.id = j.movement_id WHERE j.kind = 'payout';
