-- Sellers sign in to their own portal (issue #15). A seller's login is a person with the role
-- `seller`, bound to one seller, so sessions, throttling and the audit log are the console's.
-- Sellers have no email: their row's email is 'seller:<seller id>', which no operator's can be
-- (an operator's email needs an '@'), and they sign in by the seller's MoMo number instead.
-- SQLite cannot change a CHECK in place, so `people` is rebuilt (the migrator turns foreign keys
-- off around this and checks them before it commits).
CREATE TABLE people_new (
  id             TEXT PRIMARY KEY,
  email          TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
  role           TEXT NOT NULL CHECK (role IN ('owner', 'operator', 'viewer', 'seller')),
  password_hash  TEXT NOT NULL,
  totp_secret    TEXT,
  disabled_at    INTEGER,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  seller_id      TEXT UNIQUE REFERENCES sellers(id),
  CHECK ((role = 'seller') = (seller_id IS NOT NULL)),
  CHECK (seller_id IS NULL OR email = 'seller:' || seller_id)
);
INSERT INTO people_new (id, email, role, password_hash, totp_secret, disabled_at, created_at, updated_at)
  SELECT id, email, role, password_hash, totp_secret, disabled_at, created_at, updated_at FROM people;
DROP TABLE people;
ALTER TABLE people_new RENAME TO people;

-- Single-use invite links an operator gives a seller (to set a first password, or a new one:
-- "forgot password" is a new invite). Only a SHA-256 of the link's 32 random bytes is kept.
CREATE TABLE seller_invites (
  id          TEXT PRIMARY KEY,
  seller_id   TEXT NOT NULL REFERENCES sellers(id),
  token_hash  TEXT NOT NULL UNIQUE,
  -- The person who made it; NULL for the legacy ADMIN_TOKEN.
  created_by  TEXT,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER
);
CREATE INDEX seller_invites_seller ON seller_invites(seller_id);

-- A changed payout number holds the seller's payouts for PAYOUT_NUMBER_HOLD_H after the change,
-- unless an owner confirms the number: a stolen session cannot quietly redirect their money.
-- NULL changed_at: the number is the one the seller was created with.
ALTER TABLE sellers ADD COLUMN number_changed_at INTEGER;
ALTER TABLE sellers ADD COLUMN number_confirmed_at INTEGER;
ALTER TABLE sellers ADD COLUMN number_confirmed_by TEXT;
