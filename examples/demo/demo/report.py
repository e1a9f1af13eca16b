"""Render the ledger's rows. Exporters register themselves in `EXPORTERS` by name."""

import json
import xml.dom.minidom

try:
    import orjson  # optional: faster JSON when it is installed
except ImportError:
    orjson = None

EXPORTERS = {}


def exporter(name):
    def register(func):
        EXPORTERS[name] = func
        return func

    return register


@exporter("text")
def render_text(rows: list[dict]) -> str:
    from .money import parse_amount

    lines = [f"Invoice ({len(rows)} lines)"]
    for row in rows:
        amount = parse_amount(row["price"]) * row["qty"]
        lines.append(f"  {row['item']:<16}{row['qty']:>3} x {row['price']:>6} = {amount!s:>7}")
    return "\n".join(lines)


@exporter("json")
def render_json(rows: list[dict]) -> str:
    if orjson is not None:
        return orjson.dumps(rows).decode()
    return json.dumps(rows, indent=2)


@exporter("xml")
def render_xml(rows: list[dict]) -> str:
    doc = xml.dom.minidom.Document()
    invoice = doc.appendChild(doc.createElement("invoice"))
    for row in rows:
        line = invoice.appendChild(doc.createElement("line"))
        for key, value in row.items():
            line.setAttribute(key, str(value))
    return doc.toprettyxml(indent="  ").rstrip()
