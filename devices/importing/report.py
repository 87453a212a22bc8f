"""What an import found and did, told the way a person can act on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class ImportFailed(Exception):
    """The import could not run at all (unreadable file, missing columns, database changed under
    it). Nothing was written. The message is for a person."""


@dataclass(frozen=True)
class RowError:
    line: int  # line of the file, the header being line 1
    message: str  # this line's problem, with its value
    cause: str = ""  # what the lines with the same problem share; errors are grouped on it
    hint: str = ""  # one sentence saying what to do about the cause

    def __str__(self) -> str:
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ErrorGroup:
    cause: str
    hint: str
    errors: list[RowError]

    @property
    def lines(self) -> list[int]:
        return sorted({error.line for error in self.errors})

    def examples(self, count: int) -> list[RowError]:
        """The first errors that say different things: three lines saying the same teach nothing."""
        chosen: list[RowError] = []
        seen: set[str] = set()
        for error in self.errors:
            if error.message not in seen:
                seen.add(error.message)
                chosen.append(error)
                if len(chosen) == count:
                    break
        return chosen


def grouped(number: int) -> str:
    """61000 → "61 000" in French, "61,000" in English."""
    return number_format(number, force_grouping=True)


@dataclass
class ImportReport:
    """What an import found and did. Counts classify the valid rows, whether or not they were written."""

    path: Path
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    zones_created: list[str] = field(default_factory=list)
    models_created: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # side effects worth a sentence (a new current image...)
    dry_run: bool = False
    skip_invalid: bool = False
    written: bool = False
    rejects_path: Path | None = None
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return len({error.line for error in self.errors})

    @property
    def refused(self) -> bool:
        """Invalid rows and no --skip-invalid: the whole file was turned down."""
        return bool(self.errors) and not self.skip_invalid

    def groups(self) -> list[ErrorGroup]:
        """Errors by cause, the cause touching most lines first."""
        by_cause: dict[tuple[str, str], list[RowError]] = {}
        for error in self.errors:
            by_cause.setdefault((error.cause or error.message, error.hint), []).append(error)
        groups = [ErrorGroup(cause, hint, errors) for (cause, hint), errors in by_cause.items()]
        return sorted(groups, key=lambda group: (-len(group.lines), group.lines[0]))

    def describe_errors(self, *, examples: int = 3, line_numbers: int = 5) -> list[str]:
        """One paragraph per cause: how many lines, which ones first, a few examples, what to do.

        61,000 rows refused for one reason make four lines here, not 61,000.
        """
        text: list[str] = []
        for group in self.groups():
            lines = group.lines
            shown = ", ".join(str(line) for line in lines[:line_numbers]) + (", …" if len(lines) > line_numbers else "")
            text.append(
                ngettext("%(cause)s: %(count)s line (%(lines)s)", "%(cause)s: %(count)s lines (%(lines)s)", len(lines))
                % {"cause": group.cause, "count": grouped(len(lines)), "lines": shown}
            )
            text.extend(f"  {error}" for error in group.examples(examples))
            if group.hint:
                text.append("  " + _("What to do: %(hint)s") % {"hint": group.hint})
        return text

    def summary(self) -> str:
        if not (self.errors or self.created or self.updated or self.zones_created or self.models_created):
            text = ngettext(
                "Nothing to write: %(count)s row unchanged.",
                "Nothing to write: %(count)s rows unchanged.",
                self.unchanged,
            ) % {"count": grouped(self.unchanged)}
            return " ".join([text, *self.notes])
        text = ngettext(
            "%(rows)s row — created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s, "
            "rejected: %(rejected)s.",
            "%(rows)s rows — created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s, "
            "rejected: %(rejected)s.",
            self.rows,
        ) % {
            "rows": grouped(self.rows),
            "created": grouped(self.created),
            "updated": grouped(self.updated),
            "unchanged": grouped(self.unchanged),
            "rejected": grouped(self.rejected),
        }
        if self.zones_created:
            text += " " + _("Zones created: %(zones)s.") % {"zones": ", ".join(self.zones_created)}
        if self.models_created:
            text += " " + _("Models created: %(models)s.") % {"models": ", ".join(self.models_created)}
        for note in self.notes:
            text += " " + note
        if self.dry_run:
            text += " " + _("Dry run: nothing was written.")
        elif self.refused:
            text += " " + _("Invalid rows: nothing was written.")
        return text
