-- orders_status(status) is a prefix of orders_status_created(status, created_at, id): every
-- query that filtered or grouped by status alone (the console's filters and figures, /metrics'
-- count by status) is served by the longer one, and each order moves status three times on the
-- hot path, each move rewriting both (issue #16).
DROP INDEX IF EXISTS orders_status;
