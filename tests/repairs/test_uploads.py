import os
import random

import pytest
from django.core.exceptions import ValidationError

from repairs.uploads import clean_filename, sniff

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (JPEG_HEAD + b"\x00" * 20, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "image/webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + b"\x00" * 20, "image/heic"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj", "application/pdf"),
    ],
)
def test_accepted_types_are_recognised_by_content(data, content_type):
    assert sniff(data).content_type == content_type


def test_random_photo_bytes_are_not_mistaken_for_markup():
    # Compressed image data looks random: 200 "photos" of 64 KB must all pass.
    rng = random.Random(1)
    for _ in range(200):
        assert sniff(JPEG_HEAD + rng.randbytes(64 * 1024)).content_type == "image/jpeg"


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(ValidationError, match="trop volumineux"):
        sniff(JPEG_HEAD + os.urandom(10 * 1024 * 1024))


def test_a_pdf_with_an_embedded_file_is_refused():
    with pytest.raises(ValidationError):
        sniff(b"%PDF-1.7\n<< /Names << /EmbeddedFiles 2 0 R >> >>")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.png", "photo.png"),
        ("../../etc/passwd", "passwd.png"),
        ("C:\\Users\\élève\\écran cassé.jpeg", "écran_cassé.png"),
        ('"><script>.png', "script.png"),
        ("", "piece-jointe.png"),
    ],
)
def test_download_names_are_cleaned_and_carry_the_real_extension(name, expected):
    assert clean_filename(name, "png") == expected
