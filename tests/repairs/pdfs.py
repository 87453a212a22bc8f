"""One weasyprint rendering per distinct report document in a test process.

Several tests ask for the same report (same data, same parameters, same minute in its "generated
on" line) through different paths: the download, the task, the API's 202, the monthly email.
Each still renders its HTML through the real code; only the HTML → PDF step is shared when the
HTML is exactly the same, so what a test reads is weasyprint's PDF of the very document its path
produced (a different document, even by one character, is rendered anew).
"""

import pytest

from repairs.reports import formats

_rendered: dict[str, tuple[bytes, int]] = {}


@pytest.fixture
def one_rendering_per_document():
    real = formats.html_to_pdf

    def once(html: str) -> tuple[bytes, int]:
        if html not in _rendered:
            _rendered[html] = real(html)
        return _rendered[html]

    # A monkeypatch of its own: a test's monkeypatch.undo() must not take this one away.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(formats, "html_to_pdf", once)
        yield _rendered
