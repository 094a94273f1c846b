-- PostgreSQL's twin of migrations/003_seller_active.sql: sellers can be deactivated, and one
-- active seller per MoMo number.
ALTER TABLE sellers ADD COLUMN active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
CREATE UNIQUE INDEX sellers_msisdn_active ON sellers(msisdn) WHERE active = 1;
