"""Named SPARQL queries (``queries/*.rq``): listing, safe parameter binding, running, formatting.

Each ``.rq`` file opens with a comment header: the first line ``# name: what it answers``, then
``# param: NAME TYPE  description`` lines (TYPE is string, iri, integer or decimal) and an
``# example:`` line. Parameters are bound as RDF terms through pyoxigraph's ``substitutions``
(SEP-0007), never pasted into the query text. pyoxigraph binds only projected variables, so a query
projects its parameters (``SELECT ?nct ...``) and kg drops the bound ones from the output.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TextIO

import orjson
import pyoxigraph as ox

from kg.errors import QueryError, UsageError

__all__ = [
    "QUERY_DIR",
    "Cell",
    "NamedQuery",
    "OutputFormat",
    "Param",
    "ResultTable",
    "bind_params",
    "format_results",
    "list_queries",
    "load_query",
    "run_query",
]

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"

_PARAM = re.compile(r"^#\s*param:\s*(\w+)\s+(string|iri|integer|decimal)\s*(.*)$")
_EXAMPLE = re.compile(r"^#\s*example:\s*(.*)$")
_SUMMARY = re.compile(r"^#\s*[\w-]+:\s*(.*)$")


class OutputFormat(StrEnum):
    """How query results are written."""

    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class Param:
    """A declared query parameter."""

    name: str
    type: str
    description: str


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A query file and what its header says."""

    name: str
    text: str
    summary: str
    params: tuple[Param, ...]
    example: str


def _parse_header(name: str, text: str) -> NamedQuery:
    params: list[Param] = []
    summary: list[str] = []
    example = ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if m := _PARAM.match(line):
            params.append(Param(m.group(1), m.group(2), m.group(3).strip()))
        elif m := _EXAMPLE.match(line):
            example = m.group(1).strip()
        elif line.startswith("# param:"):
            continue
        elif not summary and (m := _SUMMARY.match(line)):
            summary.append(m.group(1).strip())
        elif summary and not example:
            summary.append(line.lstrip("# ").strip())
    return NamedQuery(name, text, " ".join(s for s in summary if s), tuple(params), example)


def list_queries(folder: Path = QUERY_DIR) -> list[NamedQuery]:
    """Return every named query, sorted by name."""
    return [_parse_header(p.stem, p.read_text("utf-8")) for p in sorted(folder.glob("*.rq"))]


def load_query(
    ref: str, folder: Path = QUERY_DIR, stdin: TextIO | None = None
) -> NamedQuery:
    """Load a named query, a ``.rq`` file, or ``-`` (stdin).

    Raises:
        QueryError: no such query or file.
    """
    if ref == "-":
        if stdin is None:
            raise UsageError("no standard input to read the query from")
        return _parse_header("-", stdin.read())
    path = Path(ref)
    if path.suffix == ".rq" or "/" in ref:
        if not path.is_file():
            raise QueryError(f"no such query file: {ref}")
        return _parse_header(path.stem, path.read_text("utf-8"))
    named = folder / f"{ref}.rq"
    if not named.is_file():
        known = ", ".join(q.name for q in list_queries(folder))
        raise QueryError(f"unknown query {ref!r}; known: {known}")
    return _parse_header(ref, named.read_text("utf-8"))


_DATATYPES = {"integer": "http://www.w3.org/2001/XMLSchema#integer",
              "decimal": "http://www.w3.org/2001/XMLSchema#decimal"}


def bind_params(
    query: NamedQuery, values: Mapping[str, str]
) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    """Turn ``--param name=value`` pairs into RDF terms of the declared types.

    Undeclared parameters are strings (a query read from a file may not declare them).

    Raises:
        UsageError: a declared parameter is missing, or a value does not fit its type.
    """
    declared = {p.name: p for p in query.params}
    missing = [p.name for p in query.params if p.name not in values]
    if missing:
        raise UsageError(f"query {query.name!r} needs --param {missing[0]}=...")
    out: dict[ox.Variable, ox.NamedNode | ox.Literal] = {}
    for name, value in values.items():
        kind = declared[name].type if name in declared else "string"
        try:
            if kind == "iri":
                out[ox.Variable(name)] = ox.NamedNode(value)
            elif kind in _DATATYPES:
                float(value)
                out[ox.Variable(name)] = ox.Literal(value, datatype=ox.NamedNode(_DATATYPES[kind]))
            else:
                out[ox.Variable(name)] = ox.Literal(value)
        except ValueError as exc:
            raise UsageError(f"--param {name}: not a valid {kind}: {value!r}") from exc
    return out


@dataclass(frozen=True, slots=True)
class Cell:
    """One value of a result row, whatever store it came from."""

    kind: str  # "uri", "literal" or "bnode", as in the SPARQL JSON results format
    value: str
    datatype: str | None = None
    lang: str | None = None

    def nt(self) -> str:
        """Render in N-Triples syntax (for SPARQL TSV)."""
        from kg.terms import iri, literal

        if self.kind == "uri":
            return iri(self.value)
        if self.kind == "bnode":
            return f"_:{self.value}"
        return literal(self.value, self.datatype, self.lang)


@dataclass(frozen=True, slots=True)
class ResultTable:
    """A SELECT result: variable names and rows of cells (None where unbound)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Cell | None, ...], ...]


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _cell(term: object) -> Cell | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Cell("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Cell("bnode", term.value)
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if term.language:
            return Cell("literal", term.value, None, term.language)
        return Cell("literal", term.value, None if dt in (_XSD_STRING, _RDF_LANG) else dt)
    raise QueryError(f"unsupported result term {term!r}")


def run_query(
    store: ox.Store,
    query: NamedQuery,
    bindings: Mapping[ox.Variable, ox.NamedNode | ox.Literal] | None = None,
) -> ResultTable:
    """Run a SELECT query on a pyoxigraph store (default graph = union of the named graphs).

    Raises:
        QueryError: a syntax error, or a query that is not a SELECT.
    """
    try:
        result = store.query(
            query.text, use_default_graph_as_union=True, substitutions=dict(bindings or {})
        )
    except SyntaxError as exc:
        raise QueryError(f"{query.name}: {exc}") from exc
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError(f"{query.name}: only SELECT queries give a table")
    bound = {v.value for v in bindings or {}}
    variables = tuple(v.value for v in result.variables if v.value not in bound)
    rows = tuple(tuple(_cell(sol[v]) for v in variables) for sol in result)
    return ResultTable(variables, rows)


def format_results(table: ResultTable, fmt: OutputFormat) -> str:
    """Write a result table as an aligned text table, SPARQL CSV, SPARQL TSV or SPARQL JSON."""
    if fmt is OutputFormat.JSON:
        return _json(table)
    if fmt is OutputFormat.CSV:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(table.variables)
        writer.writerows([c.value if c else "" for c in row] for row in table.rows)
        return buf.getvalue()
    if fmt is OutputFormat.TSV:
        lines = ["\t".join(f"?{v}" for v in table.variables)]
        lines += ["\t".join(c.nt() if c else "" for c in row) for row in table.rows]
        return "\n".join(lines) + "\n"
    return _text_table(table.variables, [[_short(c) for c in row] for row in table.rows])


def _short(cell: Cell | None) -> str:
    if cell is None:
        return ""
    return " ".join(cell.value.split())  # one line per row, whatever the literal holds


def _text_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    rows = list(rows)
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, min(len(v), 60)) for w, v in zip(widths, row, strict=True)]

    def line(values: Sequence[str]) -> str:
        cut = [v if len(v) <= 60 else v[:59] + "…" for v in values]
        return "  ".join(v.ljust(w) for v, w in zip(cut, widths, strict=True)).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out) + "\n"


def _json(table: ResultTable) -> str:
    bindings = []
    for row in table.rows:
        b: dict[str, dict[str, str]] = {}
        for var, cell in zip(table.variables, row, strict=True):
            if cell is None:
                continue
            d = {"type": cell.kind, "value": cell.value}
            if cell.datatype:
                d["datatype"] = cell.datatype
            if cell.lang:
                d["xml:lang"] = cell.lang
            b[var] = d
        bindings.append(b)
    doc = {"head": {"vars": list(table.variables)}, "results": {"bindings": bindings}}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"
