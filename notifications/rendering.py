"""Render a message from a template of blocks, in the recipient's language.

A message template (e.g. templates/notifications/tickets/declared.txt) holds three blocks: `subject`,
`body` (paragraphs of plain text) and `sms` (one short line). Keeping the three in one file keeps a
message's wording in one place for whoever edits or translates it. The email layouts around the
body (notifications/email.txt and .html) are shared by every message.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template import Context
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import BlockNode
from django.utils import translation


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str
    html_body: str
    sms: str


def _blocks(template_name: str, context: dict) -> dict[str, str]:
    template = get_template(template_name).template
    # Plain text: the HTML layout escapes it once, where it is put into HTML.
    plain = Context(context, autoescape=False)
    with plain.bind_template(template):
        return {node.name: node.render(plain) for node in template.nodelist.get_nodes_by_type(BlockNode)}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(text: str) -> str:
    """Trim the template's indentation; keep line breaks, and at most one blank line in a row."""
    lines: list[str] = []
    for line in (raw.strip() for raw in text.strip().splitlines()):
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines)


def message_render(
    *, template_name: str, context: dict, language: str, recipient_name: str = "", link: str = ""
) -> RenderedMessage:
    with translation.override(language):
        blocks = _blocks(template_name, {**context, "link": link})
        subject = _one_line(blocks.get("subject", ""))
        layout = {
            "subject": subject,
            "body": _paragraphs(blocks.get("body", "")),
            "recipient_name": recipient_name,
            "link": link,
            "language": language,
        }
        return RenderedMessage(
            subject=subject,
            body=render_to_string("notifications/email.txt", layout).strip() + "\n",
            html_body=render_to_string("notifications/email.html", layout),
            sms=_one_line(blocks.get("sms", "")),
        )
