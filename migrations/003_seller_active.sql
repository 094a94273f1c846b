-- Sellers can be deactivated: their products leave the storefront and the public API, while
-- payouts already owed to them still go out (the payout code never reads this column).
ALTER TABLE sellers ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));

-- One active seller per MoMo number. An older database may hold the same number twice: the
-- oldest seller keeps it and the later copies are deactivated, not deleted, since orders and
-- payouts refer to them. GET /api/sellers still lists them for the operator.
UPDATE sellers
SET active = 0, updated_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
WHERE EXISTS (
  SELECT 1 FROM sellers AS older
  WHERE older.msisdn = sellers.msisdn
    AND (older.created_at < sellers.created_at OR (older.created_at = sellers.created_at AND older.id < sellers.id))
);

CREATE UNIQUE INDEX sellers_msisdn_active ON sellers(msisdn) WHERE active = 1;
