"""`python -m fund_ledger [serve|verify|audit-pack]`."""

import sys

from fund_ledger.entrypoints.cli import main

if __name__ == "__main__":
    sys.exit(main())
