-- PostgreSQL's twin of migrations/010_drop_orders_status.sql: orders_status(status) is a prefix
-- of orders_status_created(status, created_at, id), which serves every query it served (issue #16).
DROP INDEX IF EXISTS orders_status;
