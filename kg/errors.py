"""The exception tree of kg; every error the library raises is one of these.

::

    KgError
    ├── InputError      unreadable or invalid input: file, record, field  (exit 2)
    ├── UsageError      a bad option or argument                           (exit 2)
    ├── InvalidData     the data breaks the contract (SHACL violations)    (exit 1)
    ├── EndpointError   a remote SPARQL endpoint or web API failed         (exit 2)
    └── QueryError      a SPARQL query is unknown, malformed or failed     (exit 2)
"""

from __future__ import annotations

__all__ = ["EndpointError", "InputError", "InvalidData", "KgError", "QueryError", "UsageError"]


class KgError(Exception):
    """Base of every error kg raises on purpose."""

    exit_code = 2


class InputError(KgError):
    """An input that cannot be read: names the file, the record and the field.

    >>> str(InputError("bad", file="a.json", record="NCT01234567", field="designModule.phases"))
    'a.json: NCT01234567: designModule.phases: bad'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.record = record
        self.field = field

    def located(self, *, file: str | None = None, record: str | None = None) -> InputError:
        """Return a copy that also names the file and record where they were unknown."""
        return InputError(
            self.message,
            file=self.file or file,
            record=self.record or record,
            field=self.field,
        )

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.record, self.field) if p]
        return ": ".join([*parts, self.message])

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments do not survive pickling by default; workers send these back.
        return (_rebuild_input_error, (self.message, self.file, self.record, self.field))


def _rebuild_input_error(
    message: str, file: str | None, record: str | None, field: str | None
) -> InputError:
    return InputError(message, file=file, record=record, field=field)


class UsageError(KgError):
    """A bad option, argument or combination of them."""


class InvalidData(KgError):  # noqa: N818 - the name DESIGN.md and STYLE.md give it
    """The data is readable but breaks the contract (for example SHACL violations)."""

    exit_code = 1


class EndpointError(KgError):
    """A remote endpoint or web API was down, slow, refused us, or answered garbage."""


class QueryError(KgError):
    """A SPARQL query that is unknown, malformed, or failed to run."""


class AnswerChangedError(QueryError):
    """A query's answer changed while a page of it was read in parts (the store was written)."""
