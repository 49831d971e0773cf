-- One database per service (they never read each other's tables), each with two roles:
--   <service>_owner owns the schema and runs the migrations (`python -m <service> migrate`);
--   <service>_app is what the service runs as: it may connect, and the migration grants it reads and
--   writes but never an UPDATE or DELETE of journal or audit rows.
-- No password here: deploy/postgres-passwords.sh sets each from its secret file.
CREATE ROLE credit_data_owner LOGIN;
CREATE ROLE credit_data_app LOGIN;
CREATE DATABASE credit_data OWNER credit_data_owner;
REVOKE ALL ON DATABASE credit_data FROM PUBLIC;
GRANT CONNECT ON DATABASE credit_data TO credit_data_app;

CREATE ROLE whitelist_owner LOGIN;
CREATE ROLE whitelist_app LOGIN;
CREATE DATABASE whitelist OWNER whitelist_owner;
REVOKE ALL ON DATABASE whitelist FROM PUBLIC;
GRANT CONNECT ON DATABASE whitelist TO whitelist_app;

CREATE ROLE fund_ledger_owner LOGIN;
CREATE ROLE fund_ledger_app LOGIN;
CREATE DATABASE fund_ledger OWNER fund_ledger_owner;
REVOKE ALL ON DATABASE fund_ledger FROM PUBLIC;
GRANT CONNECT ON DATABASE fund_ledger TO fund_ledger_app;

CREATE ROLE claims_owner LOGIN;
CREATE ROLE claims_app LOGIN;
CREATE DATABASE claims OWNER claims_owner;
REVOKE ALL ON DATABASE claims FROM PUBLIC;
GRANT CONNECT ON DATABASE claims TO claims_app;
