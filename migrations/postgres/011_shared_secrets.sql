-- PostgreSQL's twin of migrations/011_shared_secrets.sql: secrets every instance must share,
-- made once by whichever starts first (the CSRF tokens' HMAC key).
CREATE TABLE shared_secrets (
  name TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
