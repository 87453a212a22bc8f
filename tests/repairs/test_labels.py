"""The QR label sheet prints as it should: no blank page, no label cut across two pages, each
label's text on the page where its whole box is (checked in the PDF itself with pypdf)."""

import io
import re

import pytest
from pypdf import PdfReader

from devices.models import Device
from repairs.labels import LABELS_PER_PAGE, labels_pdf
from tests.devices.factories import DeviceFactory, EstablishmentFactory

pytestmark = pytest.mark.django_db


_sheets: dict[int, list[str]] = {}


def sheet(count: int) -> list[str]:
    """The text of each page of the label sheet of an establishment with `count` laptops (rendered
    once in a test process: the next test that reads the same sheet reads the same PDF's text)."""
    if count in _sheets:
        return _sheets[count]
    establishment = EstablishmentFactory(name="Lycée Déodat-de-Séverac")
    for n in range(count):
        DeviceFactory(establishment=establishment, asset_tag=f"TAG-{n:04d}", serial_number=f"LBL{n:06d}")
    DeviceFactory(establishment=establishment, asset_tag="TAG-RETIRED", status=Device.Status.RETIRED)
    reader = PdfReader(io.BytesIO(labels_pdf(establishment=establishment, base_url="https://sav.example.org/")))
    _sheets[count] = [page.extract_text() for page in reader.pages]
    return _sheets[count]


def tags_on(text: str) -> list[str]:
    return re.findall(r"TAG-\d{4}", text)


@pytest.mark.parametrize("count", [1, LABELS_PER_PAGE, LABELS_PER_PAGE + 1, 2 * LABELS_PER_PAGE])
def test_the_sheet_has_exactly_the_pages_its_labels_need(count):
    pages = sheet(count)
    assert len(pages) == -(-count // LABELS_PER_PAGE)
    expected = [f"TAG-{n:04d}" for n in range(count)]
    for number, text in enumerate(pages):
        # Every page carries labels (no blank first page), each label whole on one page, in order.
        assert tags_on(text) == expected[number * LABELS_PER_PAGE : (number + 1) * LABELS_PER_PAGE], number
        assert " ".join(text.split()).count("Scannez pour déclarer une panne") == len(tags_on(text))
        assert f"{number + 1} / {len(pages)}" in text
    assert "Lycée Déodat-de-Séverac" in pages[0]
    assert "TAG-RETIRED" not in "".join(pages)


def test_each_label_carries_its_serial_next_to_its_tag():
    count = LABELS_PER_PAGE + 1  # a sheet another test reads too: on both of its pages
    pages = sheet(count)
    for n in range(count):
        assert re.search(rf"TAG-{n:04d}\s+LBL{n:06d}", pages[n // LABELS_PER_PAGE]), n
