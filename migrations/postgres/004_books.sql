-- PostgreSQL's twin of migrations/004_books.sql: the double-entry ledger and reconciliation. An
-- entry's amount is signed (a debit positive, a credit negative); corrections are new journals,
-- so the triggers below refuse UPDATE and DELETE, as SQLite's RAISE(ABORT) does.
CREATE TABLE journals (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind         TEXT NOT NULL CONSTRAINT journals_kind_check CHECK (kind IN ('collection', 'payout', 'suspense', 'operator')),
  currency     TEXT NOT NULL CHECK (length(currency) = 3),
  order_id     TEXT REFERENCES orders(id),
  movement_id  BIGINT REFERENCES movements(id),
  note         TEXT CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500),
  -- Who posted an operator journal; NULL for what the workflow posts.
  posted_by    TEXT,
  at           BIGINT NOT NULL,
  CHECK (kind <> 'operator' OR (note IS NOT NULL AND posted_by IS NOT NULL))
);
-- A movement's money is booked once, however often its final state is looked at.
CREATE UNIQUE INDEX journals_one_per_movement ON journals(movement_id) WHERE movement_id IS NOT NULL;
CREATE INDEX journals_at ON journals(at, id);

CREATE TABLE entries (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  journal_id    BIGINT NOT NULL REFERENCES journals(id),
  -- 'collection', 'disbursement', 'platform_revenue', 'refunds_payable', 'suspense',
  -- 'opening_equity', or 'seller_payable:<seller id>'.
  account       TEXT NOT NULL,
  seller_id     TEXT REFERENCES sellers(id),
  currency      TEXT NOT NULL,
  amount_minor  BIGINT NOT NULL CHECK (amount_minor <> 0),
  at            BIGINT NOT NULL,
  CHECK ((account = 'seller_payable:' || seller_id) OR (seller_id IS NULL AND account NOT LIKE 'seller_payable:%'))
);
CREATE INDEX entries_journal ON entries(journal_id);
CREATE INDEX entries_account ON entries(account, currency, at, id);

-- One function per refusal: a trigger names its message with TG_ARGV.
CREATE FUNCTION sokoni_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER journals_append_only_update BEFORE UPDATE ON journals
  FOR EACH ROW EXECUTE FUNCTION sokoni_refuse('journals are append-only: post a correcting journal');
CREATE TRIGGER journals_append_only_delete BEFORE DELETE ON journals
  FOR EACH ROW EXECUTE FUNCTION sokoni_refuse('journals are append-only: post a correcting journal');
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
  FOR EACH ROW EXECUTE FUNCTION sokoni_refuse('ledger entries are append-only: post a correcting journal');
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
  FOR EACH ROW EXECUTE FUNCTION sokoni_refuse('ledger entries are append-only: post a correcting journal');

-- A trigger's WHEN cannot read another table in PostgreSQL, so the function compares.
CREATE FUNCTION sokoni_entry_in_journal_currency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.currency IS DISTINCT FROM (SELECT currency FROM journals WHERE id = NEW.journal_id) THEN
    RAISE EXCEPTION 'an entry must be in its journal''s currency' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER entries_journal_currency BEFORE INSERT ON entries
  FOR EACH ROW EXECUTE FUNCTION sokoni_entry_in_journal_currency();

-- A reconciliation run over a period, and each difference it found. An item is resolved by an
-- operator with a note; the item itself is kept.
CREATE TABLE reconciliations (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  from_at         BIGINT NOT NULL,
  to_at           BIGINT NOT NULL,
  started_by      TEXT NOT NULL,
  started_at      BIGINT NOT NULL,
  finished_at     BIGINT,
  checked         BIGINT NOT NULL DEFAULT 0,
  matched         BIGINT NOT NULL DEFAULT 0,
  -- Attempts still in flight at Sokoni: not compared, the engine is still following them.
  open            BIGINT NOT NULL DEFAULT 0,
  -- The run could not finish (the provider stopped answering); its items so far are kept.
  error           TEXT
);

CREATE TABLE reconciliation_items (
  id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  reconciliation_id  BIGINT NOT NULL REFERENCES reconciliations(id),
  kind               TEXT NOT NULL CHECK (kind IN ('status', 'amount', 'currency', 'unknown', 'balance')),
  movement_id        BIGINT REFERENCES movements(id),
  reference_id       TEXT,
  order_id           TEXT REFERENCES orders(id),
  -- For a balance difference: 'collection' or 'disbursement'.
  account            TEXT,
  currency           TEXT,
  expected           TEXT NOT NULL,
  actual             TEXT NOT NULL,
  resolved_at        BIGINT,
  resolved_by        TEXT,
  resolution_note    TEXT CHECK (resolution_note IS NULL OR length(resolution_note) BETWEEN 1 AND 500),
  CHECK ((resolved_at IS NULL) = (resolution_note IS NULL))
);
CREATE INDEX reconciliation_items_open ON reconciliation_items(reconciliation_id) WHERE resolved_at IS NULL;

-- A resolved item stays resolved: only the first resolution is written.
CREATE TRIGGER reconciliation_items_resolve_once BEFORE UPDATE ON reconciliation_items
  FOR EACH ROW WHEN (OLD.resolved_at IS NOT NULL)
  EXECUTE FUNCTION sokoni_refuse('a resolved reconciliation item is kept as it was resolved');
CREATE TRIGGER reconciliation_items_no_delete BEFORE DELETE ON reconciliation_items
  FOR EACH ROW EXECUTE FUNCTION sokoni_refuse('reconciliation items are kept');
