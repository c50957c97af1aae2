"""`python -m hxcore ...`: the command line (hxcore/cli.py)."""

from hxcore.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
