r"""The SPARQL 1.1 Protocol, read-only: vet a query, run it, write the results with a row limit.

A query is refused before it runs when it is too long (413), an update (``INSERT``, ``DELETE``,
``LOAD``, ``CLEAR``...: 403) or uses ``SERVICE`` (403: the endpoint never fetches remote data).
The check reads the query's tokens after SPARQL's ``\u`` escape processing, with strings, IRIs
and comments blanked out, so a keyword hidden in a literal is no keyword and an escaped one is;
when in doubt it refuses. Results beyond ``max_rows`` rows (or triples) are cut, and the
response says so (``X-SPARQL-MaxRows``, as Virtuoso does). The time limit is enforced by
:mod:`kg.publish.pool`, which runs queries in worker processes it can stop.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import orjson
import pyoxigraph as ox

from kg.errors import QueryError, UsageError
from kg.publish._dataset import DATA_PREFIXES, group_triples
from kg.publish.export import ExportFormat, write_groups
from kg.publish.negotiation import negotiate
from kg.queries import Cell, OutputFormat, ResultTable, bind_params, format_results, load_query
from kg.query_output import Page

__all__ = [
    "GRAPH_TYPES",
    "RESULT_TYPES",
    "ProtocolError",
    "QueryForm",
    "SparqlResult",
    "check_query",
    "run_named",
    "run_sparql",
]


class ProtocolError(QueryError):
    """A request the endpoint refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        """Say why, and with which HTTP status."""
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class SparqlResult:
    """What to send back: status, media type, body, and whether rows were cut at the limit."""

    status: int
    media_type: str
    body: bytes
    truncated: bool = False
    total: int | None = None
    """A named query's page: the number of rows of the whole answer (None: not counted)."""
    offset: int = 0
    """A named query's page: the row it starts at."""
    limit: int | None = None
    """A named query's page: the most rows it holds."""
    shown: int = 0
    """A named query's page: the rows it holds."""


QueryForm = str  # "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE"

_UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
_QUERY_WORDS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Strings (long and short, either quote), IRIs, and comments: blanked before reading keywords.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.S,
)
# A bare word: not a variable (?x $x), prefixed name (ex:x, x:), blank node (_:x) or language tag.
_WORD = re.compile(r"(?<![\w?$:@])([A-Za-z]+)(?![\w:])")


def _unescape(text: str) -> str:
    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else "\ufffd"

    return _UCHAR.sub(char, text)


def _keywords(text: str) -> Iterator[str]:
    blank = _OPAQUE.sub(" ", _unescape(text))
    for m in _WORD.finditer(blank):
        yield m.group(1).upper()


def check_query(text: str, max_bytes: int) -> QueryForm | None:
    """Refuse what the endpoint never runs; return the query form when it can tell.

    >>> check_query("PREFIX s: <http://schema.org/> SELECT * { ?s s:name 'service' }", 1000)
    'SELECT'
    >>> check_query("INSERT DATA { <a:b> <a:c> 1 }", 1000)
    Traceback (most recent call last):
    kg.publish.sparql.ProtocolError: this endpoint is read-only: updates are refused

    Raises:
        ProtocolError: 413 for a query over ``max_bytes``, 403 for an update or ``SERVICE``.
    """
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise ProtocolError(413, f"the query is longer than the limit of {max_bytes} bytes")
    words = list(_keywords(text))
    if "SERVICE" in words:
        raise ProtocolError(403, "SERVICE (federated query) is disabled on this endpoint")
    form = next((w for w in words if w not in ("PREFIX", "BASE")), None)
    if form in _UPDATE_WORDS or (form not in _QUERY_WORDS and _UPDATE_WORDS & set(words)):
        raise ProtocolError(403, "this endpoint is read-only: updates are refused")
    return form if form in _QUERY_WORDS else None


# --- result formats --------------------------------------------------------------------------

RESULT_TYPES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_TYPES: dict[str, ExportFormat] = {
    "text/turtle": ExportFormat.TURTLE,
    "application/n-triples": ExportFormat.NTRIPLES,
    "application/ld+json": ExportFormat.JSONLD,
    "application/rdf+xml": ExportFormat.RDFXML,
    "application/n-quads": ExportFormat.NQUADS,
    "application/trig": ExportFormat.TRIG,
}
_QUAD_FORMATS = {
    ExportFormat.NQUADS: ox.RdfFormat.N_QUADS,
    ExportFormat.TRIG: ox.RdfFormat.TRIG,
}
_RESULT_ALIASES = {
    RESULT_TYPES["json"]: ["application/json"],
    RESULT_TYPES["xml"]: ["application/xml", "text/xml"],
}
_GRAPH_ALIASES = {
    "text/turtle": ["application/x-turtle"],
    "application/ld+json": ["application/json"],
    "application/n-triples": ["text/plain"],
    "application/rdf+xml": ["application/xml", "text/xml"],
}
_FORMAT_PARAM = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "ntriples": (None, "application/n-triples"),
    "nt": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"),
    "rdfxml": (None, "application/rdf+xml"),
    "nquads": (None, "application/n-quads"),
    "nq": (None, "application/n-quads"),
    "trig": (None, "application/trig"),
}


def _choose(accept: str | None, fmt: str | None, graph: bool) -> str:
    if fmt:
        pair = _FORMAT_PARAM.get(fmt.lower().strip())
        chosen = (pair[1] if graph else pair[0]) if pair else None
        if chosen is None:
            raise ProtocolError(400, f"format {fmt!r} does not fit this query form")
        return chosen
    if graph:
        offers, aliases = list(GRAPH_TYPES), _GRAPH_ALIASES
    else:
        offers = list(RESULT_TYPES.values())
        aliases = _RESULT_ALIASES
    chosen = negotiate(accept, offers, aliases)
    if chosen is None:
        raise ProtocolError(406, "no acceptable result format; offered: " + ", ".join(offers))
    return chosen


def _cell(term: object) -> Cell | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Cell("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Cell("bnode", term.value)
    if isinstance(term, ox.Literal):
        return Cell.literal(term.value, term.datatype.value, term.language)
    return Cell.literal(str(term))


def _xml_results(table: ResultTable) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n')
    out.write("  <head>\n")
    for v in table.variables:
        out.write(f"    <variable name={quoteattr(v)}/>\n")
    out.write("  </head>\n  <results>\n")
    for row in table.rows:
        out.write("    <result>\n")
        for v, cell in zip(table.variables, row, strict=True):
            if cell is None:
                continue
            if cell.kind == "uri":
                value = f"<uri>{escape(cell.value)}</uri>"
            elif cell.kind == "bnode":
                value = f"<bnode>{escape(cell.value)}</bnode>"
            else:
                attrs = ""
                if cell.lang:
                    attrs = f" xml:lang={quoteattr(cell.lang)}"
                elif cell.datatype:
                    attrs = f" datatype={quoteattr(cell.datatype)}"
                value = f"<literal{attrs}>{escape(cell.value)}</literal>"
            out.write(f"      <binding name={quoteattr(v)}>{value}</binding>\n")
        out.write("    </result>\n")
    out.write("  </results>\n</sparql>\n")
    return out.getvalue().encode("utf-8")


def _table_result(table: ResultTable, media_type: str, truncated: bool) -> SparqlResult:
    if media_type == RESULT_TYPES["xml"]:
        body = _xml_results(table)
    else:
        fmt = {
            RESULT_TYPES["json"]: OutputFormat.JSON,
            RESULT_TYPES["csv"]: OutputFormat.CSV,
            RESULT_TYPES["tsv"]: OutputFormat.TSV,
        }[media_type]
        body = format_results(table, fmt).encode("utf-8")
    return SparqlResult(200, media_type, body, truncated)


def _boolean_result(value: bool, media_type: str) -> SparqlResult:
    """Write an ASK answer; in CSV and TSV (which define no boolean) as Jena and RDF4J do."""
    text = "true" if value else "false"
    if media_type == RESULT_TYPES["csv"]:
        return SparqlResult(200, media_type, f"_askResult\r\n{text}\r\n".encode())
    if media_type == RESULT_TYPES["tsv"]:
        return SparqlResult(200, media_type, f"?_askResult\n{text}\n".encode())
    if media_type == RESULT_TYPES["xml"]:
        body = (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            f"  <head/>\n  <boolean>{text}</boolean>\n</sparql>\n"
        ).encode()
    else:
        body = orjson.dumps({"head": {}, "boolean": value}) + b"\n"
    return SparqlResult(200, media_type, body)


def run_sparql(
    store: ox.Store,
    query: str,
    *,
    accept: str | None = None,
    fmt: str | None = None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    max_rows: int = 10_000,
    max_bytes: int = 32 * 1024,
) -> SparqlResult:
    """Run a read-only query as the SPARQL 1.1 Protocol says.

    The dataset is the protocol's (``default-graph-uri``, ``named-graph-uri``: the default graph
    is the merge of the first, the named graphs are the second, either possibly empty), else the
    query's own (``FROM``, ``FROM NAMED``), else the default graph is the union of the named
    graphs and every named graph is there.

    Raises:
        ProtocolError: a refused or malformed query (400, 403, 406, 413).
    """
    form = check_query(query, max_bytes)
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    if form is not None:  # negotiate before running: a 406 costs no work
        media_type = _choose(accept, fmt, graph_form)
    options: dict[str, object] = {}
    try:
        if default_graphs or named_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        elif "FROM" not in _keywords(query):
            options["use_default_graph_as_union"] = True
    except ValueError as exc:
        raise ProtocolError(400, f"a graph named in the request is not an IRI: {exc}") from exc
    try:
        result = store.query(query, **options)  # type: ignore[arg-type]
    except SyntaxError as exc:
        raise ProtocolError(400, f"malformed query: {exc}") from exc
    except ValueError as exc:
        raise ProtocolError(400, f"bad request: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):
        return _boolean_result(bool(result), _choose(accept, fmt, False))
    if isinstance(result, ox.QueryTriples):
        media_type = _choose(accept, fmt, True)
        triples: list[ox.Triple] = []
        for t in result:
            if len(triples) == max_rows:
                return _graph_result(triples, media_type, truncated=True)
            triples.append(t)
        return _graph_result(triples, media_type, truncated=False)
    media_type = _choose(accept, fmt, False)
    variables = tuple(v.value for v in result.variables)
    rows: list[tuple[Cell | None, ...]] = []
    truncated = False
    for solution in result:
        if len(rows) == max_rows:
            truncated = True
            break
        rows.append(tuple(_cell(solution[v]) for v in variables))
    return _table_result(ResultTable(variables, tuple(rows)), media_type, truncated)


def _graph_result(triples: list[ox.Triple], media_type: str, *, truncated: bool) -> SparqlResult:
    out = io.BytesIO()
    fmt = GRAPH_TYPES[media_type]
    if fmt in _QUAD_FORMATS:  # a CONSTRUCT or DESCRIBE result is the default graph
        groups = group_triples(triples)
        quads = [ox.Quad(t.subject, t.predicate, t.object) for g in groups for t in g]
        prefixes = DATA_PREFIXES if fmt is ExportFormat.TRIG else None
        ox.serialize(quads, out, _QUAD_FORMATS[fmt], prefixes=prefixes)
        return SparqlResult(200, media_type, out.getvalue(), truncated)
    write_groups(group_triples(triples), out, fmt)
    return SparqlResult(200, media_type, out.getvalue(), truncated)


def run_named(
    store: ox.Store,
    name: str,
    params: Mapping[str, str],
    *,
    accept: str | None = None,
    fmt: str | None = None,
    max_rows: int = 10_000,
    limit: int | None = None,
    offset: int = 0,
    page_rows: int | None = None,
) -> SparqlResult:
    """Run a named query (``queries/NAME.rq``) with its parameters bound as ``kg query`` does.

    The answer is one page (:mod:`kg.publish.named_pages`), read as ``kg query --limit --offset``
    reads it, with the number of rows of the whole answer: ``limit`` rows (1 to ``max_rows``) from
    row ``offset``; without ``limit``, the rest of the answer from ``offset`` when it holds at most
    ``max_rows`` rows, else its first ``page_rows`` (default ``max_rows``), flagged as cut.

    Raises:
        ProtocolError: an unknown query (404), a missing or malformed parameter (400).
    """
    from kg.indexed import choose, store_ask, store_lookup
    from kg.publish.named_pages import default_page, read_rows
    from kg.queries import Bindings, NamedQuery, run_query

    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ProtocolError(404, f"no query named {name!r}")
    if limit is not None and not 1 <= limit <= max_rows:
        raise ProtocolError(400, f"limit takes a whole number of rows from 1 to {max_rows}")
    media_type = _choose(accept, fmt, False)  # before running: a 406 costs no work

    def run(q: NamedQuery, b: Bindings) -> ResultTable:
        return run_query(store, q, b, indexed=False)

    try:
        named = load_query(name)
        bindings = bind_params(named, params)
        chosen = choose(named, bindings, store_ask(store), lookup=store_lookup(store))
        if limit is None:
            size = min(page_rows or max_rows, max_rows)
            paged, truncated = default_page(chosen, bindings, offset, size, max_rows, run, store)
        else:
            paged, truncated = read_rows(chosen, bindings, Page(limit, offset), run, store), False
    except UsageError as exc:
        raise ProtocolError(400, str(exc)) from exc
    except QueryError as exc:
        if isinstance(exc, ProtocolError):
            raise
        status = 404 if "unknown query" in str(exc) else 400
        raise ProtocolError(status, str(exc)) from exc
    result = _table_result(paged.table, media_type, truncated)
    return SparqlResult(
        result.status,
        result.media_type,
        result.body,
        truncated,
        total=paged.total,
        offset=offset,
        limit=paged.page.limit,
        shown=len(paged.table.rows),
    )
