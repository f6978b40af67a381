"""Warnings of a long run: worker processes' warnings reach the parent, repeats are summed up.

A registry build reads hundreds of thousands of records; a warning of one kind (an official's
suffix read as neither degree nor title, say) can come thousands of times. The command line shows
the first few of each kind and then one line with how many more there were (``--debug`` shows
every one). Worker processes capture their log records (:func:`captured`) and send them back with
their results; the parent logs them again (:func:`replay`), so that one filter sees them all.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

__all__ = ["SHOWN", "Captured", "Repeats", "captured", "replay"]

SHOWN = 5
"""Warnings of one kind shown before the rest are only counted."""

Captured = tuple[str, int, str, str]
"""A log record sent from a worker: logger name, level, message template, message."""

_TEMPLATE = "kg_template"  # the attribute that carries a replayed record's template
_ARGUMENT = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdrfi]")


class _Collector(logging.Handler):
    def __init__(self, into: list[Captured]) -> None:
        super().__init__()
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        template = str(getattr(record, _TEMPLATE, record.msg))
        self.into.append((record.name, record.levelno, template, record.getMessage()))


@contextmanager
def captured() -> Iterator[list[Captured]]:
    """Collect the log records of the block instead of writing them (a worker process)."""
    root = logging.getLogger()
    saved = root.handlers[:]
    logs: list[Captured] = []
    root.handlers = [_Collector(logs)]
    try:
        yield logs
    finally:
        root.handlers = saved


def replay(logs: Sequence[Captured]) -> None:
    """Log again, in this process, the records a worker captured."""
    for name, level, template, message in logs:
        logger = logging.getLogger(name)
        if logger.isEnabledFor(level):
            record = logger.makeRecord(
                name, level, "(worker)", 0, message, (), None, extra={_TEMPLATE: template}
            )
            logger.handle(record)


class Repeats(logging.Filter):
    """Let the first :data:`SHOWN` warnings of each kind through and count the others.

    A kind is a message template (the text before its arguments are put in). Errors always pass.
    """

    def __init__(self, shown: int = SHOWN) -> None:
        super().__init__()
        self.shown = shown
        self.seen: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """Tell whether the record is shown: an error, or one of the first of its kind."""
        if record.levelno != logging.WARNING:
            return True
        key = str(getattr(record, _TEMPLATE, record.msg))
        count = self.seen[key] = self.seen.get(key, 0) + 1
        return count <= self.shown

    def summary(self) -> list[str]:
        """One line per kind of warning that was cut, with the number not shown."""
        lines = []
        for template, count in self.seen.items():
            if count > self.shown:
                hidden = count - self.shown
                lines.append(
                    f"{hidden:,} more warning{'' if hidden == 1 else 's'} of this kind not shown "
                    f"({count:,} in all; --debug shows each): {_ARGUMENT.sub('...', template)}"
                )
        self.seen.clear()
        return lines
