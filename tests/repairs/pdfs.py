"""One weasyprint rendering per distinct report document in a test process.

Several tests ask for the same report (same data, same parameters) through different paths: the
download, the task, the API's 202, the monthly email. Each still builds its report and its HTML
through the real code; only the HTML → PDF step is shared, and only when the HTML is exactly the
same, so what a test reads is weasyprint's PDF of the very document its path produced (a document
that differs by one character is rendered anew).

The report's "generated on" minute would make equal documents differ whenever a minute turns
between two tests (often, on a loaded machine): for these tests the reports take the time of the
process's first one. Their periods are over, so the time changes no figure, only that line.
"""

import types

import pytest
from django.utils import timezone

from repairs.reports import formats, generator

_rendered: dict[str, tuple[bytes, int]] = {}
_generated_at = []


@pytest.fixture
def one_rendering_per_document():
    real = formats.html_to_pdf
    if not _generated_at:
        _generated_at.append(timezone.now())

    def once(html: str) -> tuple[bytes, int]:
        if html not in _rendered:
            _rendered[html] = real(html)
        return _rendered[html]

    # A monkeypatch of its own: a test's monkeypatch.undo() must not take this one away.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(formats, "html_to_pdf", once)
        patch.setattr(generator, "timezone", types.SimpleNamespace(now=lambda: _generated_at[0]))
        yield _rendered
