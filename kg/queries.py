"""Named SPARQL queries (``queries/*.rq``): listing, safe parameter binding, running, formatting.

Each ``.rq`` file opens with a comment header: the first line ``# name: what it answers``, then
``# param: NAME TYPE[=DEFAULT]  description`` lines (TYPE is string, iri, integer or decimal; a
parameter with a default may be left out) and an ``# example:`` line.

Parameters are bound as RDF terms, never pasted into the query as raw text: each value becomes an
RDF term of its declared type (an invalid IRI or number is refused), the term is written in
N-Triples syntax by :mod:`kg.terms` (which escapes quotes, ``>``, newlines and the rest), and the
terms go into a ``VALUES`` block placed first in the query's outermost ``WHERE`` group (found by a
tokenizer that skips strings, IRIs and comments), and that of every subquery: a parameter is a
constant of the whole query. The embedded store and remote endpoints run the very same text, so
they give the same rows. A ``VALUES`` block also lets the store start its joins from the bound
value: pyoxigraph's ``substitutions`` (an initial binding, which subqueries do not see) ran the
same queries up to 400x slower on the shared set (``trial-interventions`` 364 ms vs 1.3 ms,
``trial-publications`` 5.4 s vs 12 ms, pyoxigraph 0.5.13). Bound variables are dropped from the
output.

Oxigraph's union default graph is a bag: a triple stated in two trials' graphs (an organisation's
name) matches twice. Named queries use ``DISTINCT`` and ``COUNT(DISTINCT ...)`` so every store gives
the same rows whether its union is a bag or a set.
"""

from __future__ import annotations

import csv
import decimal
import gzip
import io
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TextIO

import orjson
import pyoxigraph as ox

from kg.errors import InputError, QueryError, UsageError

__all__ = [
    "QUERY_DIR",
    "Bindings",
    "Cell",
    "NamedQuery",
    "OutputFormat",
    "Param",
    "ResultTable",
    "bind_params",
    "format_results",
    "list_queries",
    "load_data",
    "load_query",
    "query_tokens",
    "run_query",
    "solutions",
    "table_from_solutions",
    "term_cell",
    "values_block",
    "with_block",
    "with_values",
]

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"

_PARAM = re.compile(r"^#\s*param:\s*(\w+)\s+(string|iri|integer|decimal)(?:=(\S*))?\s*(.*)$")
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
    default: str | None = None


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A query file and what its header says."""

    name: str
    text: str
    summary: str
    params: tuple[Param, ...]
    example: str
    native: str = ""
    """What an embedded store must hold (a kg.indexed store marker) for kg to read this answer
    itself (kg.near) rather than run its SPARQL; set only on kg's own variants, as chosen."""


def _parse_header(name: str, text: str) -> NamedQuery:
    params: list[Param] = []
    summary: list[str] = []
    example = ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if m := _PARAM.match(line):
            params.append(Param(m.group(1), m.group(2), m.group(4).strip(), m.group(3)))
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


_XSD = "http://www.w3.org/2001/XMLSchema#"
_LEXICAL = {
    "integer": re.compile(r"^[+-]?\d+$"),
    "decimal": re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"),
}

Bindings = Mapping[ox.Variable, ox.NamedNode | ox.Literal]
"""Parameter values as RDF terms, by variable."""


def bind_params(
    query: NamedQuery, values: Mapping[str, str]
) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    """Turn ``--param name=value`` pairs into RDF terms of the declared types.

    Undeclared parameters are strings (a query read from a file may not declare them); a declared
    parameter left out takes its default.

    Raises:
        UsageError: a declared parameter without default is missing, or a value does not fit its
            type (an IRI that is not absolute, a number that is not one).
    """
    given = dict(values)
    for p in query.params:
        if p.name not in given and p.default is not None:
            given[p.name] = p.default
    missing = [p.name for p in query.params if p.name not in given]
    if missing:
        raise UsageError(f"query {query.name!r} needs --param {missing[0]}=...")
    declared = {p.name: p.type for p in query.params}
    out: dict[ox.Variable, ox.NamedNode | ox.Literal] = {}
    for name, value in given.items():
        kind = declared.get(name, "string")
        try:
            variable = ox.Variable(name)
            if kind == "iri":
                out[variable] = ox.NamedNode(value)
            elif kind in _LEXICAL:
                if not _LEXICAL[kind].match(value.strip()):
                    raise ValueError(value)
                out[variable] = ox.Literal(value.strip(), datatype=ox.NamedNode(_XSD + kind))
            else:
                out[variable] = ox.Literal(value)
        except ValueError as exc:
            raise UsageError(f"--param {name}: not a valid {kind}: {value!r}") from exc
    return out


def values_block(bindings: Bindings) -> str:
    r"""Write bindings as a one-row SPARQL ``VALUES`` block of escaped N-Triples terms.

    >>> print(values_block({ox.Variable("nct"): ox.Literal('x" } ; DROP ALL #')}))
    VALUES ?nct { "x\" } ; DROP ALL #" }
    >>> print(values_block({ox.Variable("a"): ox.NamedNode("http://a"),
    ...                     ox.Variable("n"): ox.Literal("1")}))
    VALUES (?a ?n) { (<http://a> "1") }
    """
    from kg.terms import iri, literal

    terms: list[str] = []
    for term in bindings.values():
        if isinstance(term, ox.NamedNode):
            terms.append(iri(term.value))
        else:
            terms.append(literal(term.value, term.datatype.value, term.language))
    names = [f"?{v.value}" for v in bindings]
    if len(names) == 1:
        return f"VALUES {names[0]} {{ {terms[0]} }}"
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


# The lexical tokens that matter for finding the WHERE group (SPARQL 1.1 grammar, section 19.8):
# comments, strings and IRIs are skipped whole (a "{" or "WHERE" inside them means nothing),
# keywords and prefixed names are words, and brackets give the nesting depth.
_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
                 |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n\r]|\\.)*'
                 |"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$]\w+)
    | (?P<word>[A-Za-z_][\w-]*(?::[\w.\-]*)?|:[\w.\-]*)
    | (?P<bracket>[{}()])
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_tokens(text: str) -> Iterator[tuple[str, str, int, int]]:
    """Yield the tokens that matter for a query's structure: (kind, lexeme, start, end).

    Kinds: comment, string, iri, var, word (keywords, prefixed names) and bracket (``{}()``).
    """
    for m in _TOKEN.finditer(text):
        yield m.lastgroup or "", m.group(), m.start(), m.end()


def _pattern_groups(text: str) -> list[int]:
    r"""Return the offsets just after the ``{`` of the query's WHERE group and of each subquery's.

    >>> q = 'PREFIX w: <x:#w> SELECT ("{" AS ?b) # WHERE {\nWHERE { ?s w:where ?o }'
    >>> [q[i:] for i in _pattern_groups(q)]
    [' ?s w:where ?o }']
    >>> q = "SELECT * { ?s ?p ?o { SELECT ?s WHERE { SELECT ?s { ?s ?q ?o } } } }"
    >>> [q[i:i + 8] for i in _pattern_groups(q)]
    [' ?s ?p ?', ' ?s ?q ?']
    >>> q = "CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }"
    >>> [q[i:] for i in _pattern_groups(q)]
    [' ?s ?p ?o }']
    """
    depth = 0  # braces and parentheses together: a query form and its group share a depth
    pending: list[int] = []  # depths of SELECTs (and the query form) whose group is to come
    template = False  # CONSTRUCT { template } WHERE? { pattern }
    starts: list[int] = []
    just_opened = False  # the last token opened a recorded group
    for m in _TOKEN.finditer(text):
        kind, lexeme = m.lastgroup, m.group()
        if kind == "comment":
            continue
        if just_opened and kind == "word" and lexeme.upper() == "SELECT":
            starts.pop()  # { SELECT ... }: a subquery must stand alone in its group
        just_opened = False
        if kind == "word":
            word = lexeme.upper()
            if word == "SELECT" or (depth == 0 and word in _FORMS):
                pending.append(depth)
                template = word == "CONSTRUCT"
            elif word == "WHERE" and depth == 0:
                template = False
        elif kind == "bracket" and lexeme in "{(":
            if lexeme == "{" and pending and pending[-1] == depth:
                if template:
                    template = False
                else:
                    starts.append(m.end())
                    pending.pop()
                    just_opened = True
            depth += 1
        elif kind == "bracket":
            depth -= 1
    return starts


def with_values(text: str, bindings: Bindings) -> str:
    """Return the query with a ``VALUES`` block of the bindings first in each WHERE group.

    A parameter is a constant of the whole query: the block opens the query's WHERE group and
    that of every subquery, so a subquery that mentions ``?nct`` is restricted to it too (and the
    store can start from it). It goes on the line of the ``{``, so error positions still match
    the query file.

    >>> with_values("SELECT ?t WHERE { ?t ?p ?nct }", {ox.Variable("nct"): ox.Literal("N")})
    'SELECT ?t WHERE { VALUES ?nct { "N" } ?t ?p ?nct }'

    Raises:
        QueryError: the query has no WHERE group to bind parameters in.
    """
    if not bindings:
        return text
    return with_block(text, values_block(bindings))


def with_block(text: str, block: str) -> str:
    """Return the query with ``block`` (a ``VALUES`` block) first in each WHERE group.

    Raises:
        QueryError: the query has no WHERE group to put it in.
    """
    starts = _pattern_groups(text)
    if not starts:
        raise QueryError("the query has no WHERE clause to bind parameters in")
    block = " " + block
    parts: list[str] = []
    last = 0
    for at in starts:
        parts += [text[last:at], block]
        last = at
    parts.append(text[last:])
    return "".join(parts)


def load_data(path: Path, *, ontology: bool = True) -> ox.Store:
    """Load an RDF file (any format kg writes, ``.gz`` too) and the ontology into a new store.

    A file without graphs (Turtle, N-Triples, ...) goes into one named graph named after the file,
    so queries that read ``GRAPH ?g`` see it as they see a trial's graph. ``ontology=False`` leaves
    the ontology graph out (validation reads the shapes, not the ontology, from the store).

    Raises:
        InputError: no such file, an unknown extension, or not valid RDF.
    """
    from kg.load import rdf_file_format
    from kg.ontology import load_ontology

    if not path.is_file():
        raise InputError("no such file", file=str(path))
    fmt, gz = rdf_file_format(path)
    store = ox.Store()
    if ontology:
        load_ontology(store)
    graph = None if fmt.supports_datasets else ox.NamedNode(path.resolve().as_uri())
    try:
        if gz:
            with gzip.open(path, "rb") as fh:
                store.bulk_load(fh.read(), fmt, to_graph=graph)
        else:
            store.bulk_load(path=path, format=fmt, to_graph=graph)
    except (SyntaxError, OSError, EOFError) as exc:
        raise InputError(f"not valid RDF: {exc}", file=str(path)) from exc
    return store


_XSD_STRING = _XSD + "string"
_RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


_INTEGER_TYPES = frozenset(
    _XSD + name
    for name in (
        "integer", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
        "unsignedByte",
    )
)
_CANONICAL_TIME = re.compile(r"^(.*T\d\d:\d\d:\d\d)(?:\.(\d*?)0*)?(Z|[+-]\d\d:\d\d)?$")


def canonical(value: str, datatype: str | None) -> str:
    """Return the canonical form of a typed literal's value, as the embedded store writes it.

    Stores send one value in different forms: Virtuoso sends booleans as ``1``/``0`` and doubles
    as ``1.0``, others write ``+007`` or ``1.50``. Rows from every store compare equal only in one
    form; a value that does not parse is left as it is.

    >>> canonical("1", _XSD + "boolean"), canonical("+007", _XSD + "integer")
    ('true', '7')
    >>> canonical("1.50", _XSD + "decimal"), canonical("5e-08", _XSD + "double")
    ('1.5', '5.0E-8')
    >>> canonical("2020-01-01T10:00:00.000+00:00", _XSD + "dateTime")
    '2020-01-01T10:00:00Z'
    """
    if datatype is None or not datatype.startswith(_XSD):
        return value
    text = value.strip()
    try:
        if datatype == _XSD + "boolean":
            return {"1": "true", "0": "false", "true": "true", "false": "false"}.get(text, value)
        if datatype in _INTEGER_TYPES:
            return str(int(text)) if _LEXICAL["integer"].match(text) else value
        if datatype == _XSD + "decimal":
            if not _LEXICAL["decimal"].match(text):
                return value
            number = format(decimal.Decimal(text).normalize(), "f")
            return "0" if number in ("-0", "0") else number
        if datatype in (_XSD + "double", _XSD + "float"):
            return _canonical_double(float(text))
    except (ValueError, ArithmeticError):
        return value
    if datatype == _XSD + "dateTime" and (m := _CANONICAL_TIME.match(text)):
        fraction = f".{m.group(2)}" if m.group(2) else ""
        zone = "Z" if m.group(3) in ("Z", "+00:00", "-00:00") else (m.group(3) or "")
        return m.group(1) + fraction + zone
    return value


def _canonical_double(number: float) -> str:
    """Write a double as XSD 1.1 does: ``1.0E0``, ``4.071E1``, ``INF``, ``NaN``."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "INF" if number > 0 else "-INF"
    # repr: the shortest digits that read back as the same double.
    exact = decimal.Decimal(repr(number)).normalize()
    sign, digits, exponent = exact.as_tuple()
    if not any(digits):
        return "0.0E0"
    text = "".join(map(str, digits))
    scale = int(exponent) + len(text) - 1
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{scale}"


@dataclass(frozen=True, slots=True)
class Cell:
    """One value of a result row, whatever store it came from."""

    kind: str  # "uri", "literal" or "bnode", as in the SPARQL JSON results format
    value: str
    datatype: str | None = None
    lang: str | None = None

    @classmethod
    def literal(cls, value: str, datatype: str | None = None, lang: str | None = None) -> Cell:
        """Make a literal cell; ``xsd:string`` and ``rdf:langString`` are left implicit.

        Stores disagree on whether a plain literal has the datatype ``xsd:string``; cells do not.

        >>> Cell.literal("x", "http://www.w3.org/2001/XMLSchema#string") == Cell.literal("x")
        True
        """
        if lang:
            return cls("literal", value, None, lang.lower())
        if datatype in (_XSD_STRING, _RDF_LANG):
            datatype = None
        return cls("literal", canonical(value, datatype), datatype)

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


def term_cell(term: object) -> Cell | None:
    """Turn a pyoxigraph result term into a cell (None: unbound)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Cell("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Cell("bnode", term.value)
    if isinstance(term, ox.Literal):
        return Cell.literal(term.value, term.datatype.value, term.language)
    raise QueryError(f"unsupported result term {term!r}")


def table_from_solutions(result: ox.QuerySolutions, bound: Iterable[str] = ()) -> ResultTable:
    """Turn pyoxigraph solutions into a result table, leaving out the ``bound`` variables."""
    skip = set(bound)
    variables = tuple(v.value for v in result.variables if v.value not in skip)
    rows = tuple(tuple(term_cell(sol[v]) for v in variables) for sol in result)
    return ResultTable(variables, rows)


def run_query(
    store: ox.Store,
    query: NamedQuery,
    bindings: Bindings | None = None,
    *,
    indexed: bool = True,
) -> ResultTable:
    """Run a SELECT query on a pyoxigraph store (default graph = union of the named graphs).

    With ``indexed`` (the default) a named query runs as its indexed variant when the store holds
    what that reads (:mod:`kg.indexed`): the same rows, without scanning the registry.

    Raises:
        QueryError: a syntax error, or a query that is not a SELECT.
    """
    bindings = bindings or {}
    if indexed:
        from kg.indexed import choose, store_ask, store_lookup  # kg.indexed imports this module

        query = choose(query, bindings, store_ask(store), lookup=store_lookup(store))
    if query.native:
        from kg.native import native_table  # kg.native's readers import this module

        table = native_table(store, query, bindings)
        if table is not None:
            return table
    result = solutions(store, query, with_values(query.text, bindings))
    return table_from_solutions(result, (v.value for v in bindings))


def solutions(store: ox.Store, query: NamedQuery, text: str) -> ox.QuerySolutions:
    """Run ``text`` (``query`` as it is to run) on the store's union default graph.

    Raises:
        QueryError: a syntax error, or a query that is not a SELECT.
    """
    try:
        result = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QueryError(f"{query.name}: {exc}") from exc
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError(f"{query.name}: only SELECT queries give a table")
    return result


def format_results(table: ResultTable, fmt: OutputFormat) -> str:
    """Write a result table as an aligned text table, SPARQL CSV, SPARQL TSV or SPARQL JSON."""
    if fmt is OutputFormat.JSON:
        return _json(table)
    if fmt is OutputFormat.CSV:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(table.variables)
        # A blank node as SPARQL CSV (and the store) writes it: _:label.
        writer.writerows(
            [(c.nt() if c.kind == "bnode" else c.value) if c else "" for c in row]
            for row in table.rows
        )
        return buf.getvalue()
    if fmt is OutputFormat.TSV:
        lines = ["\t".join(f"?{v}" for v in table.variables)]
        lines += ["\t".join(_tsv(c) if c else "" for c in row) for row in table.rows]
        return "\n".join(lines) + "\n"
    # A column that holds IRIs is never cut: an IRI is there to be copied.
    whole = [
        any(isinstance(c, Cell) and c.kind == "uri" for c in column)
        for column in zip(*table.rows, strict=True)
    ] or [False] * len(table.variables)
    return _text_table(
        table.variables, [[_short(c) for c in row] for row in table.rows], whole
    )


_TURTLE_NUMBER = {
    _XSD + "integer": re.compile(r"^[+-]?\d+$"),
    _XSD + "decimal": re.compile(r"^[+-]?\d*\.\d+$"),
    _XSD + "double": re.compile(r"^[+-]?(?:\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+)$"),
    _XSD + "boolean": re.compile(r"^(?:true|false)$"),
}


def _tsv(cell: Cell) -> str:
    r"""Write a cell in SPARQL TSV as the store does: numbers and booleans as Turtle writes them.

    >>> _tsv(Cell.literal("42", _XSD + "integer")), _tsv(Cell.literal("1.5", _XSD + "decimal"))
    ('42', '1.5')
    >>> _tsv(Cell.literal("x")), _tsv(Cell.literal("4", _XSD + "int"))
    ('"x"', '"4"^^<http://www.w3.org/2001/XMLSchema#int>')
    """
    number = _TURTLE_NUMBER.get(cell.datatype or "")
    if number is not None and number.match(cell.value):
        return cell.value
    if cell.kind != "literal":
        return cell.nt()
    # Escaped as the store escapes them: a tab, a line break, a quote, a backslash; the rest as is.
    quoted = '"' + cell.value.translate(_TSV_ESCAPES) + '"'
    if cell.lang:
        return f"{quoted}@{cell.lang}"
    return f"{quoted}^^<{cell.datatype}>" if cell.datatype else quoted


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _short(cell: Cell | None) -> str:
    if cell is None:
        return ""
    return " ".join(cell.value.split())  # one line per row, whatever the literal holds


def _text_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], whole: Sequence[bool] = ()
) -> str:
    """Align columns; long literals are cut at 60 characters, IRIs (``whole``) never are."""
    rows = list(rows)
    keep = list(whole) or [False] * len(header)
    widths = [len(h) for h in header]
    for row in rows:
        widths = [
            max(w, len(v) if k else min(len(v), 60))
            for w, v, k in zip(widths, row, keep, strict=True)
        ]

    def line(values: Sequence[str]) -> str:
        cut = [v if k or len(v) <= 60 else v[:59] + "…" for v, k in zip(values, keep, strict=True)]
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
    # Compact, as the store writes it (kg.query_output streams the store's own serialization).
    return orjson.dumps(doc).decode() + "\n"
