"""The ``kg`` command line: thin commands over the library; data to stdout, messages to stderr.

Each command lives in its own module and registers itself on the shared Typer ``app``.
Exit codes (DESIGN.md): 0 ok, 1 the data is invalid, 2 bad usage or unreadable input.
"""

from kg.cli import build, export, fetch, network, publications, push, query, serve, similar, synth, validate, void  # noqa: F401 - importing registers the commands
from kg.cli._app import app, main

__all__ = ["app", "main"]
