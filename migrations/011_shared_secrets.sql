-- Secrets every instance of Sokoni must share, made once by whichever starts first: the CSRF
-- tokens' HMAC key, so a form shown by one instance can be posted to another behind a proxy
-- (and a form shown before a restart still posts after it).
CREATE TABLE shared_secrets (
  name TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
