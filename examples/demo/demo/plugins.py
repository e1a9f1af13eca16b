"""More exporters. Importing this module is what registers them (the plugin pattern)."""

import csv
import io
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from .report import exporter, render_text


@exporter("csv")
def render_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["item", "price", "qty"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().rstrip()


@exporter("mail")
def render_mail(rows: list[dict]) -> str:
    message = MIMEMultipart()
    message["Subject"] = f"Your invoice ({len(rows)} lines)"
    message.attach(MIMEText(render_text(rows)))
    parts = message.get_payload()
    return f"Subject: {message['Subject']}\n{len(parts)} part(s), {message.get_content_type()}"
