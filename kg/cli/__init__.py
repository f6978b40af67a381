"""The ``kg`` command line: thin commands over the library; data to stdout, messages to stderr.

Each command lives in its own module and registers itself on the shared Typer ``app``.
Exit codes (DESIGN.md): 0 ok, 1 the data is invalid, 2 bad usage or unreadable input.
"""

from kg.cli import (  # noqa: F401 - importing a command module registers its command
    build,
    export,
    fetch,
    load,
    network,
    publications,
    push,
    query,
    reindex,
    serve,
    similar,
    synth,
    validate,
    void,
)
from kg.cli._app import app, main

__all__ = ["app", "main"]
