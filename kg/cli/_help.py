"""How ``kg`` commands read their options and write their help.

Typer's own help shows Python type names (``<list[str]>``, ``<int range>``, ``FILE <str>``), runs
the ``Example:`` lines of a docstring together into one paragraph and cuts every command summary
with ``...``. The classes here keep Typer's parsing and change only that:

* an option's value is named by what it is (``--store DIR``, ``--param NAME=VALUE``, the choices
  ``table|csv|tsv|json``), an argument by its name (``INPUTS...``);
* lines that start with ``Example:`` (and the paragraph they open) are printed as written;
* the command list shows each command's whole first sentence;
* the global options (``--quiet``, ``-q``, ``--debug``) may also follow the command name:
  ``kg build x.json --quiet`` is ``kg --quiet build x.json``.

:class:`KgGroup` is the root group's class; it gives every command and group below it these
classes as they are attached, so command modules use plain ``@app.command``.
"""

from __future__ import annotations

from typing import Any

import typer.core

__all__ = [
    "FORMAT_NAMES",
    "GLOBAL_FLAGS",
    "KgCommand",
    "KgGroup",
    "clean_message",
    "hoist_global_flags",
    "normalize_token",
]

FORMAT_NAMES = {
    "turtle": "ttl",
    "ntriples": "nt",
    "n-triples": "nt",
    "nquads": "nq",
    "n-quads": "nq",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "rdf/xml": "rdfxml",
    "xml": "rdfxml",
}
"""Other names of the RDF formats, to the one name ``kg`` prints (the file extension's)."""

GLOBAL_FLAGS = ("--quiet", "-q", "--debug")
"""The root's options that may also be given after the command name (flags: they take no value)."""

# What an option's value is, by option name; other options show their name in capitals.
_METAVARS = {
    "batch": "N",
    "cache": "DIR",
    "min_confidence": "SCORE",
    "years": "N",
    "base": "IRI",
    "data": "FILE",
    "download_url": "URL",
    "dump": "FILE",
    "dumps": "DIR",
    "endpoint": "URL",
    "graph": "IRI",
    "host": "HOST",
    "jobs": "N",
    "journal": "FILE",
    "k": "N",
    "limit": "N",
    "max_nodes": "N",
    "max_rows": "N",
    "org_map": "FILE",
    "output": "FILE",
    "page_size": "N",
    "param": "NAME=VALUE",
    "params": "FILE",
    "port": "PORT",
    "query_timeout": "SECONDS",
    "rate": "PER_SECOND",
    "retries": "N",
    "seed": "N",
    "sparql": "URL",
    "sponsor": "NAME",
    "store": "DIR",
    "store_url": "URL",
    "timeout": "SECONDS",
    "trial": "NCT",
    "update_url": "URL",
    "workers": "N",
    "count": "N",
}


def hoist_global_flags(args: list[str]) -> list[str]:
    """Move the global flags found after the command name to the front (never past ``--``).

    >>> hoist_global_flags(["build", "x.json", "--quiet", "--", "--debug"])
    ['--quiet', 'build', 'x.json', '--', '--debug']
    """
    end = args.index("--") if "--" in args else len(args)
    flags = [a for a in args[:end] if a in GLOBAL_FLAGS]
    rest = [a for a in args[:end] if a not in GLOBAL_FLAGS]
    return flags + rest + args[end:]


def normalize_token(token: str) -> str:
    """Give an RDF format's other names the one name every ``--format`` knows it by.

    Click applies this to choices and to the values given for them (and to option and command
    names, which never are format names), so ``ttl`` and ``turtle`` are one choice everywhere.

    >>> normalize_token("Turtle"), normalize_token("ttl"), normalize_token("--format")
    ('ttl', 'ttl', '--format')
    """
    return FORMAT_NAMES.get(token.lower(), token)


def clean_message(message: str) -> str:
    """Drop the validation library's noise from a usage error.

    >>> clean_message("Invalid value for 'KIND': Value error, 'foo' is not one of 'a', 'b'.")
    "Invalid value for 'KIND': 'foo' is not one of 'a', 'b'."
    """
    return message.replace("Value error, ", "")


def _choices(param: typer.core.TyperOption, ctx: Any) -> str | None:
    shown = str(param.display_type(ctx)).strip("<>")
    if shown.startswith("list[") and shown.endswith("]"):
        shown = shown[5:-1]
    names = dict.fromkeys(normalize_token(c) for c in shown.split("|"))
    return "|".join(names) if len(names) > 1 else None


def _option_metavar(param: typer.core.TyperOption, ctx: Any) -> str:
    name = param.name or ""
    return _choices(param, ctx) or _METAVARS.get(name) or name.upper()


def _example_paragraphs(text: str) -> str:
    r"""Mark paragraphs that hold ``Example:`` lines so they are printed line by line.

    >>> _example_paragraphs("Do it.\n\nExample: kg a\nExample: kg b")
    'Do it.\n\n\x08\nExample: kg a\nExample: kg b'
    """
    paragraphs = text.split("\n\n")
    return "\n\n".join(
        "\b\n" + p if any(line.lstrip().startswith("Example") for line in p.splitlines()) else p
        for p in paragraphs
    )


class KgCommand(typer.core.TyperCommand):
    """A command whose help names values instead of types and keeps examples on their lines."""

    def format_help_text(self, ctx: Any, formatter: Any) -> None:
        """Write the docstring, keeping ``Example:`` paragraphs as written."""
        if self.help:
            saved = self.help
            self.help = _example_paragraphs(saved)
            try:
                super().format_help_text(ctx, formatter)
            finally:
                self.help = saved

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """Write the Arguments and Options sections without Python type names."""
        args: list[tuple[str, str]] = []
        opts: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, typer.core.TyperArgument):
                name = param.metavar or (param.name or "").upper()
                if param.nargs != 1 and not name.endswith("..."):
                    name += "..."
                args.append((name, record[1]))
            else:
                opts.append(record)
        if args:
            with formatter.section("Arguments"):
                formatter.write_dl(args)
        if opts:
            with formatter.section("Options"):
                formatter.write_dl(opts)


def _adopt(command: Any, ctx: Any = None) -> None:
    """Give a command (or a group and everything under it) kg's help classes and metavars."""
    if type(command) is typer.core.TyperGroup:
        command.__class__ = KgGroup
    if isinstance(command, KgGroup):
        for sub in command.commands.values():
            _adopt(sub, ctx)
    elif type(command) is typer.core.TyperCommand:
        command.__class__ = KgCommand
    for param in getattr(command, "params", []):
        if isinstance(param, typer.core.TyperOption) and param.metavar is None:
            if not (param.is_flag or param.count):
                param.metavar = _option_metavar(param, ctx)
        elif isinstance(param, typer.core.TyperArgument) and param.metavar is None:
            param.metavar = (param.name or "").upper()


class KgGroup(typer.core.TyperGroup):
    """The root group: global flags anywhere, whole summaries, kg's help for every command."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Build the group as Typer does, then give its commands kg's help classes."""
        super().__init__(*args, **kwargs)
        for command in self.commands.values():
            _adopt(command)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Accept the global flags after the command name too."""
        return super().parse_args(ctx, hoist_global_flags(list(args)))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """List the commands with the whole first sentence of each one's help."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            rows.append((name, command.get_short_help_str(limit=1_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
