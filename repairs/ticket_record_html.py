"""The ticket page's lower cards: the status link without an account, the history in words, the
photos and documents, and the comment form; drawn in Python as repairs/ticket_html.py says."""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import naturaltime

from repairs.html_parts import esc, form_field, lines_of, when
from repairs.ticket_words import _

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


def status_link_section(c: dict, ticket, base: str, csrf: str) -> str:
    notice = _(
        "Whoever holds this link (a parent, a student without their laptop) follows the repair: state, next "
        "step, dates, and the quote if the family pays. No name is shown."
    )
    out = [
        '\n\n<section class="card" aria-labelledby="status-link-title">\n'
        f'  <h2 id="status-link-title">{_("Status link without an account")}</h2>\n'
        f'  <p class="help">{notice}</p>\n'
        f'  <label for="status-url">{_("Status link")}</label>\n'
        f'  <input type="text" id="status-url" readonly value="{esc(c["status_url"])}">\n'
        f'  <p><a class="button secondary" href="{base}receipt.pdf">{_("Print the receipt (PDF)")}</a></p>\n  '
    ]
    if c["may_renew_status_link"]:
        out.append(
            f'\n  <form method="post" action="{base}status-link/">{csrf}'
            f'<input type="hidden" name="version" value="{esc(ticket.version)}">\n'
            f'    <button type="submit" class="secondary">{_("Replace the link (the current one stops working)")}'
            "</button></form>\n  "
        )
    out.append("\n</section>")
    return "".join(out)


def history_section(timeline) -> str:
    out = [
        '\n\n<section class="card" aria-labelledby="history-title">\n'
        f'  <h2 id="history-title">{_("History")}</h2>\n'
        '  <ol class="timeline" data-testid="timeline">\n    '
    ]
    for line in timeline:
        entry = line.entry
        at = entry.at
        out.append(
            f'\n    <li>\n      <div class="when"><time datetime="{when(at, "c")}" '
            f'title="{when(at, "DATETIME_FORMAT")}">{esc(naturaltime(at))}</time> · '
            f"{when(at, 'SHORT_DATETIME_FORMAT')} · {esc(line.who)}</div>\n"
            f"      <div><strong>{esc(line.title)}</strong>"
        )
        if line.details:
            details = "".join(f"<li>{esc(detail)}</li>" for detail in line.details)
            out.append(f'<ul class="details">{details}</ul>')
        out.append("</div>\n      ")
        if entry.note and entry.kind != "declared":
            out.append(f"<p>{lines_of(entry.note)}</p>")
        out.append("\n    </li>\n    ")
    out.append("\n  </ol>\n</section>")
    return "".join(out)


def files_section(c: dict, ticket, base: str, csrf: str) -> str:
    out = [
        '\n\n<section class="card" aria-labelledby="files-title">\n'
        f'  <h2 id="files-title">{_("Photos and documents")}</h2>\n'
        '  <ul class="thumbs">\n    '
    ]
    attachments = c["attachments"]
    for attachment in attachments:
        url = f"{base}attachments/{attachment.pk}/"
        name = esc(attachment.original_name)
        out.append(f'\n    <li><a href="{url}">\n      ')
        if attachment.content_type in IMAGE_TYPES:
            out.append(f'\n        <img src="{url}?inline=1" alt="{name}" loading="lazy">\n      ')
        else:
            out.append(name)
        out.append("</a></li>\n    ")
    if not attachments:
        out.append(f'<li class="muted">{_("No file.")}</li>')
    out.append("\n  </ul>\n  ")
    form = c["attach_form"]
    if form:
        out.append(
            f'\n  <form method="post" enctype="multipart/form-data" action="{base}attachments/">{csrf}\n'
            f"    {form_field(form, 'file')}\n"
            f'    <button type="submit" class="secondary">{_("Send the file")}</button>\n  </form>\n  '
        )
    out.append("\n</section>\n\n")
    form = c["comment_form"]
    if form:
        out.append(
            f'\n<section class="card">\n  <form method="post" action="{base}comments/">{csrf}\n'
            f"    {form_field(form, 'text')}\n"
            f'    <button type="submit">{_("Send the comment")}</button>\n  </form>\n</section>\n'
        )
    out.append("\n")
    return "".join(out)
