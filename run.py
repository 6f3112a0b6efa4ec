"""python run.py: the local server on http://127.0.0.1:8000 (embedded PostgreSQL when DATABASE_URL is unset)."""

import sys

from codegen.cli import main

if __name__ == "__main__":
    main(["serve", *sys.argv[1:]])
