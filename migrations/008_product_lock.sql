-- The seller portal (issue #15): sellers change their own products' description, price and
-- availability, and an operator can lock a product so that its seller cannot (a listing under
-- review, a disputed price). Only the console changes the lock.
ALTER TABLE products ADD COLUMN locked INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1));
