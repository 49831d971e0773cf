-- One database per service (they never read each other's tables).
CREATE USER credit_data PASSWORD 'credit_data';
CREATE DATABASE credit_data OWNER credit_data;
CREATE USER whitelist PASSWORD 'whitelist';
CREATE DATABASE whitelist OWNER whitelist;
CREATE USER fund_ledger PASSWORD 'fund_ledger';
CREATE DATABASE fund_ledger OWNER fund_ledger;
CREATE USER claims PASSWORD 'claims';
CREATE DATABASE claims OWNER claims;
