"""The command line: `python -m demo [--format NAME] [--upload] [--db PATH]`."""

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from . import plugins  # noqa: F401  (registers the csv and mail exporters)
from .report import EXPORTERS
from .store import Ledger

if TYPE_CHECKING:
    from collections.abc import Sequence

log = logging.getLogger(__name__)

SAMPLE_A = [("Coffee beans", "12.50", 3), ("Filter papers", "3.99", 2)]
SAMPLE_B = [("Milk frother", "24.95", 1)]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="demo", description="Print an invoice.")
    parser.add_argument("--format", choices=sorted(EXPORTERS), default="text")
    parser.add_argument("--upload", action="store_true", help="show the upload request (dry run)")
    parser.add_argument("--db", default=":memory:", help="SQLite database (default: in memory)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    ledger = Ledger(args.db)
    ledger.load(lambda: SAMPLE_A, lambda: SAMPLE_B)
    log.debug("loaded %d lines", len(ledger.rows()))
    sys.stdout.write(EXPORTERS[args.format](ledger.rows()) + "\n")
    sys.stdout.write(f"Total: {ledger.total()} EUR\n")
    if args.upload:
        sys.stdout.write(ledger.upload_request() + "\n")
    return 0
