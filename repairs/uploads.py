"""What an attachment really is, from its bytes (never from its name or the browser's word),
and what is kept of it.

Accepted: JPEG, PNG, WebP, HEIC/HEIF photos and PDF. Refused: everything else, and any file that
also carries markup or script (SVG, HTML, "polyglots" that are an image and a page at once) or a
PDF that can run something (JavaScript, launch or submit actions, embedded files), looked for
after decoding `#xx` escapes in names and inflating compressed streams.

Photos are decoded and re-encoded (`photo_clean`): no byte the client sent is served back as an
image, and the metadata goes (a phone photo's EXIF holds the GPS position of where a minor took
it). HEIC photos are kept as JPEG, which every browser shows.
"""

from __future__ import annotations

import io
import re
import warnings
import zlib
from dataclasses import dataclass

import pillow_heif
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

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
# Inside a PDF: scripts, launch/submit/import/remote actions, embedded files, rich media, XFA forms.
PDF_ACTIVE = re.compile(
    rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|ImportData|GoToE|GoToR)(?![A-Za-z0-9])"
)
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
PDF_MAX_INFLATED = 64 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 10 MB file may not unfold into gigabytes of pixels
MAX_SIDE = 2560  # photos are shrunk to this on their long side: enough to see a cracked hinge
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
    if kind.extension == "pdf" and _pdf_is_active(data):
        raise ValidationError({"file": _("This PDF contains scripts, actions or embedded files and is refused.")})
    return kind


def _pdf_is_active(data: bytes) -> bool:
    """Active content in the file or in any of its compressed streams (object streams hide
    dictionaries there), names read with their `#xx` escapes decoded (`/J#61vaScript`)."""
    budget = PDF_MAX_INFLATED
    chunks = [data]
    for match in PDF_STREAM.finditer(data):
        if budget <= 0:  # zlib reads a limit of 0 as "no limit"
            return True
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue
        if inflater.unconsumed_tail:
            return True  # inflates past the budget: a bomb, not a scanned quote
        budget -= len(inflated)
        chunks.append(inflated)
    unescape = lambda m: bytes([int(m.group(1), 16)])  # noqa: E731
    return any(PDF_ACTIVE.search(PDF_NAME_ESCAPE.sub(unescape, chunk)) for chunk in chunks)


def photo_clean(data: bytes, kind: Sniffed) -> tuple[bytes, Sniffed]:
    """Decode the photo and encode it anew, upright, at most MAX_SIDE pixels, without metadata.
    A file that does not decode as the image it claims to be is refused."""
    refused = _("This photo could not be read: take it again or send it as JPEG or PNG.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ValidationError({"file": refused})
                image = ImageOps.exif_transpose(image)
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                keep_alpha = kind.extension in ("png", "webp") and image.mode in ("RGBA", "LA", "P")
                image = image.convert("RGBA" if keep_alpha else "RGB")
                image.info = {}  # EXIF, ICC, XMP, comments: Pillow would write them back
                out = io.BytesIO()
                if kind.extension == "png":
                    image.save(out, "PNG", optimize=True)
                elif kind.extension == "webp":
                    image.save(out, "WEBP", quality=85)
                else:
                    image.save(out, "JPEG", quality=85, optimize=True)
                    kind = Sniffed("image/jpeg", "jpg")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        raise ValidationError({"file": refused}) from None
    return out.getvalue(), kind


def upload_clean(data: bytes) -> tuple[bytes, Sniffed]:
    """What is stored of an upload: the identified type, photos re-encoded; ValidationError if refused."""
    kind = sniff(data)
    if kind.content_type.startswith("image/"):
        return photo_clean(data, kind)
    return data, kind


def clean_filename(name: str, extension: str) -> str:
    """A safe download name: letters (accents welcome), digits, dot, dash, underscore; the real extension."""
    stem = (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._")[:80] or "piece-jointe"
    return f"{stem}.{extension}"
