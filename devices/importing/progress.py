"""How a long import shows it is moving: a bar on a terminal, a line every few seconds elsewhere.

An import run from cron, CI or `nohup` writes to a file where a bar is noise (carriage returns) or
nothing at all; a line such as "Writing: 12,000 / 61,000 rows" every few seconds tells whoever
reads the log that it is alive and how far it got.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TextIO, TypeVar

from django.utils.translation import gettext as _
from tqdm import tqdm

from devices.importing.report import grouped

T = TypeVar("T")
Update = Callable[[int], None]

# Rows between two progress updates: often enough for the eye, rare enough to cost nothing.
STEP = 500


class Progress:
    """Shows nothing: the base of the two that do, and what tests and --no-progress use."""

    def phase(self, description: str, total: int) -> AbstractContextManager[Update]:
        """A context whose value is called with the number of rows done since the last call."""
        return _silent()


@contextmanager
def _silent() -> Iterator[Update]:
    yield lambda count: None


class BarProgress(Progress):
    """A bar on a terminal that vanishes when done."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    @contextmanager
    def phase(self, description: str, total: int) -> Iterator[Update]:
        with tqdm(total=total, desc=description, unit=" rows", file=self.stream, leave=False, mininterval=0.2) as bar:
            yield bar.update


class LineProgress(Progress):
    """A line every `every` seconds, and a last one at the end of a phase that printed any."""

    def __init__(self, stream: TextIO, *, every: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.every, self.clock = stream, every, clock

    @contextmanager
    def phase(self, description: str, total: int) -> Iterator[Update]:
        done = 0
        last_time, last_done = self.clock(), -1

        def write(count: int) -> None:
            line = _("%(phase)s: %(done)s / %(total)s rows") % {
                "phase": description,
                "done": grouped(count),
                "total": grouped(total),
            }
            self.stream.write(line + "\n")
            self.stream.flush()

        def update(count: int) -> None:
            nonlocal done, last_time, last_done
            done += count
            now = self.clock()
            if now - last_time >= self.every:
                write(done)
                last_time, last_done = now, done

        yield update
        if last_done not in (-1, done):
            write(done)  # the log says the phase ended, not only that it was under way


def tracked(items: list[T], *, progress: Progress, description: str) -> Iterable[T]:
    """`items`, reporting to `progress` every STEP items."""
    with progress.phase(description, len(items)) as update:
        for index, item in enumerate(items, start=1):
            yield item
            if index % STEP == 0:
                update(STEP)
        update(len(items) % STEP)
