-- For a DBA who will not give the migrator superuser rights: create the two roles once, then run
-- `meldpunt migrate` with MELDPUNT_MIGRATION_DATABASE_URL as meldpunt_owner. Mirrors what
-- src/platform/meldpunt/db/bootstrap.py does when it runs as a superuser.
--   psql -v owner_password=... -v app_password=... -d meldpunt -f infra/roles.sql
SELECT format('CREATE ROLE meldpunt_owner LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD %L', :'owner_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'meldpunt_owner') \gexec
SELECT format('CREATE ROLE meldpunt_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD %L',
              :'app_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'meldpunt_app') \gexec
SELECT format('ALTER DATABASE %I OWNER TO meldpunt_owner', current_database()) \gexec
ALTER SCHEMA public OWNER TO meldpunt_owner;
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO meldpunt_app', current_database()) \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO meldpunt_app;
