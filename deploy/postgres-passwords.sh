#!/bin/bash
# Runs once, after postgres-init.sql, when the data directory is created: give every role its password
# from its secret file (/run/secrets/<role>_password). No password lives in the repository.
set -euo pipefail

for role in $XYD_DB_ROLES; do
    password=$(tr -d '\n' < "/run/secrets/${role}_password")
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v role="$role" -v password="$password" <<'SQL'
ALTER ROLE :"role" PASSWORD :'password';
SQL
done
