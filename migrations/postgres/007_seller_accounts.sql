-- PostgreSQL's twin of migrations/007_seller_accounts.sql: sellers sign in to their own portal
-- (issue #15) as people with the role `seller`, bound to one seller, whose email is
-- 'seller:<seller id>'. SQLite rebuilt `people` to widen its CHECK; here it is altered.
ALTER TABLE people
  DROP CONSTRAINT people_role_check,
  ADD CONSTRAINT people_role_check CHECK (role IN ('owner', 'operator', 'viewer', 'seller')),
  ADD COLUMN seller_id TEXT UNIQUE REFERENCES sellers(id),
  ADD CHECK ((role = 'seller') = (seller_id IS NOT NULL)),
  ADD CHECK (seller_id IS NULL OR email = 'seller:' || seller_id);

-- Single-use invite links an operator gives a seller. Only a SHA-256 of the link's 32 random
-- bytes is kept.
CREATE TABLE seller_invites (
  id          TEXT PRIMARY KEY,
  seller_id   TEXT NOT NULL REFERENCES sellers(id),
  token_hash  TEXT NOT NULL UNIQUE,
  -- The person who made it; NULL for the legacy ADMIN_TOKEN.
  created_by  TEXT,
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  used_at     BIGINT
);
CREATE INDEX seller_invites_seller ON seller_invites(seller_id);

-- A changed payout number holds the seller's payouts until payout_hold_until, unless an owner
-- confirms the number first.
ALTER TABLE sellers
  ADD COLUMN number_changed_at BIGINT,
  ADD COLUMN payout_hold_until BIGINT,
  ADD COLUMN number_confirmed_at BIGINT,
  ADD COLUMN number_confirmed_by TEXT;
