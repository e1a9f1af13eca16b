"""A tiny invoicing tool: the example project for lazify.

Like most packages, it re-exports its public API here, so `import demo` loads every module below.
"""

from .money import Money, parse_amount
from .report import render_json, render_text, render_xml
from .store import Ledger

__all__ = ["Ledger", "Money", "parse_amount", "render_json", "render_text", "render_xml"]
__version__ = "0.1.0"
