-- First start of the compose Postgres only (docker-entrypoint-initdb.d): the application role the api
-- and worker connect as. Not the tables' owner (migrations run as postgres), so row-level security
-- applies to it; the RowLevelSecurity migration grants it the tables. Local stack only: the password
-- is fixed here, as the compose file's DATABASE_URL expects. See docs/row-level-security.md.
CREATE ROLE crm_app LOGIN PASSWORD 'crm_app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
