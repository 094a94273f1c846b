-- PostgreSQL's twin of migrations/005_accounts.sql: people with roles, their sessions and API
-- keys, sign-in throttling, the audit log, and the order list's indexes.

-- SQLite's `email UNIQUE COLLATE NOCASE` is a unique index on lower(email) here, named as
-- PostgreSQL names a column's UNIQUE constraint. Queries that find a person by email must
-- compare lower(email) on PostgreSQL, where `=` is case-sensitive.
CREATE TABLE people (
  id             TEXT PRIMARY KEY,
  email          TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  role           TEXT NOT NULL CONSTRAINT people_role_check CHECK (role IN ('owner', 'operator', 'viewer')),
  -- argon2id, in the PHC string format (algorithm, parameters and salt travel with the hash).
  password_hash  TEXT NOT NULL,
  -- RFC 6238 shared secret (base32) once the person has confirmed a code; NULL without TOTP.
  totp_secret    TEXT,
  disabled_at    BIGINT,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX people_email_key ON people (lower(email));

-- Only a SHA-256 of the cookie's random id is stored: a copy of the database opens no session.
CREATE TABLE sessions (
  id_hash       TEXT PRIMARY KEY,
  person_id     TEXT NOT NULL REFERENCES people(id),
  address       TEXT,
  created_at    BIGINT NOT NULL,
  last_seen_at  BIGINT NOT NULL
);
CREATE INDEX sessions_person ON sessions(person_id);

-- A key acts with its person's role at the time of each request; only its hash is kept.
CREATE TABLE api_keys (
  id            TEXT PRIMARY KEY,
  person_id     TEXT NOT NULL REFERENCES people(id),
  label         TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
  key_hash      TEXT NOT NULL UNIQUE,
  created_at    BIGINT NOT NULL,
  last_used_at  BIGINT,
  revoked_at    BIGINT
);
CREATE INDEX api_keys_person ON api_keys(person_id);

-- Failed sign-ins per account ('account:<email>') and per client address ('address:<ip>').
CREATE TABLE sign_in_throttle (
  key              TEXT PRIMARY KEY,
  failures         BIGINT NOT NULL,
  last_failure_at  BIGINT NOT NULL,
  blocked_until    BIGINT NOT NULL
);

-- Every operator action, and every refused one. Append-only like a ledger: the triggers refuse
-- any change or removal, whoever asks.
CREATE TABLE audit_log (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           BIGINT NOT NULL,
  actor_id     TEXT,
  actor_email  TEXT NOT NULL,
  actor_role   TEXT NOT NULL,
  via          TEXT NOT NULL CHECK (via IN ('session', 'api_key', 'admin_token', 'cli', 'sign_in')),
  action       TEXT NOT NULL,
  object_type  TEXT,
  object_id    TEXT,
  before       TEXT,
  after        TEXT,
  outcome      TEXT NOT NULL CHECK (outcome IN ('done', 'refused')),
  address      TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor_email, at);
CREATE INDEX audit_log_object ON audit_log(object_id, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION sokoni_refuse('audit_log is append-only');
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION sokoni_refuse('audit_log is append-only');

-- The console's order list walks (created_at, id) newest first, optionally within a status,
-- seller or product; keyset pagination makes page 500 cost what page 1 costs.
CREATE INDEX orders_created ON orders(created_at, id);
CREATE INDEX orders_status_created ON orders(status, created_at, id);
CREATE INDEX orders_seller_created ON orders(seller_id, created_at, id);
CREATE INDEX orders_product_created ON orders(product_id, created_at, id);
CREATE INDEX movements_order ON movements(order_id, kind);
CREATE INDEX movements_financial_transaction ON movements(financial_transaction_id) WHERE financial_transaction_id IS NOT NULL;
CREATE INDEX movement_attempts_movement ON movement_attempts(movement_id);
