"""What an attachment really is, from its bytes (never from its name or the browser's word).

Accepted: JPEG, PNG, WebP, HEIC/HEIF photos and PDF. Refused: everything else, and any file that
also carries markup or script (SVG, HTML, "polyglots" that are an image and a page at once) or a
PDF that can run something (JavaScript, launch actions, embedded files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_TICKET = 20


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}
# Markup or script anywhere in the file: a browser sniffing it could run it as a page. Compressed
# photo data is close to random bytes, so every pattern is long enough (or anchored on a delimiter)
# that a genuine 10 MB photo matches by chance with a probability well under one in a thousand.
ACTIVE_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|meta|!doctype|\?xml)|<svg[\s>/]|javascript:", re.IGNORECASE
)
# Inside a PDF: scripts, launch actions, embedded files, rich media and XFA forms.
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFiles?|RichMedia|XFA)\b|/JS\s*[(<]")
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"PK\x03\x04")


def _identify(head: bytes) -> Sniffed | None:
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", "png")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image/webp", "webp")
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return Sniffed("image/heic", "heic")
    if head.startswith(b"%PDF-"):
        return Sniffed("application/pdf", "pdf")
    return None


def sniff(data: bytes) -> Sniffed:
    """The type of an upload, or ValidationError saying why it is refused."""
    refused = _("Only photos (JPEG, PNG, HEIC, WebP) and PDF files are accepted.")
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {"file": _("The file is too large (at most %(mb)d MB).") % {"mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)}}
        )
    if data.startswith(EXECUTABLE_MAGIC):
        raise ValidationError({"file": refused})
    kind = _identify(data[:32])
    if kind is None:
        raise ValidationError({"file": refused})
    if ACTIVE_MARKUP.search(data):
        raise ValidationError({"file": _("This file contains web page code or script and is refused.")})
    if kind.extension == "pdf" and PDF_ACTIVE.search(data):
        raise ValidationError({"file": _("This PDF contains scripts, actions or embedded files and is refused.")})
    return kind


def clean_filename(name: str, extension: str) -> str:
    """A safe download name: letters (accents welcome), digits, dot, dash, underscore; the real extension."""
    stem = (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._")[:80] or "piece-jointe"
    return f"{stem}.{extension}"
