-- PostgreSQL's twin of migrations/008_product_lock.sql: an operator can lock a product so that
-- its seller cannot change it.
ALTER TABLE products ADD COLUMN locked BIGINT NOT NULL DEFAULT 0 CHECK (locked IN (0, 1));
