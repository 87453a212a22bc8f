"""French is the UI's first language: locale/fr must be complete, compiled, and in step with the code."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def entries(po) -> dict[tuple[str | None, str], object]:
    return {(entry.msgctxt, entry.msgid): entry for entry in po if not entry.obsolete}


def test_every_french_translation_is_filled_in_and_not_fuzzy():
    po = polib.pofile(str(PO))
    missing = [entry.msgid for entry in po if not entry.obsolete and not entry.translated()]
    assert missing == [], f"untranslated or fuzzy in {PO.name}: {missing}"


def test_the_committed_mo_matches_the_po():
    po, mo = polib.pofile(str(PO)), polib.mofile(str(MO))
    expected = {key: (e.msgstr, e.msgstr_plural) for key, e in entries(po).items()}
    compiled = {key: (e.msgstr, e.msgstr_plural) for key, e in entries(mo).items() if e.msgid}
    assert compiled == expected, "locale/fr is stale: run `make messages` (or compilemessages)"


@pytest.mark.slow
def test_every_string_of_the_code_is_in_the_french_catalogue(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed: cannot extract strings; .ci/run installs it")
    tree = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        tree,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "staticfiles", "*.pyc", "__pycache__", ".*_cache"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "fr", "--no-obsolete", "--no-location"],
        cwd=tree,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_ENV": "local", "HOME": str(tmp_path)},
    )
    extracted = set(entries(polib.pofile(str(tree / "locale" / "fr" / "LC_MESSAGES" / "django.po"))))
    committed = set(entries(polib.pofile(str(PO))))
    assert extracted - committed == set(), "strings missing from locale/fr: run `make messages`"
    assert committed - extracted == set(), "locale/fr has strings the code no longer uses: run `make messages`"
