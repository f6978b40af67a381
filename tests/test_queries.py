"""The query library: headers, safe parameter binding, result cells and formats, ``kg query``."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.build import build
from kg.cli import main
from kg.errors import QueryError, UsageError
from kg.queries import (
    QUERY_DIR,
    Cell,
    NamedQuery,
    OutputFormat,
    Param,
    ResultTable,
    bind_params,
    format_results,
    list_queries,
    load_data,
    load_query,
    run_query,
    with_values,
)
from kg.sinks import FileSink
from kg.terms import DEFAULT_BASE

SEED_NCT = "NCT03737461"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT_ID = ox.NamedNode("http://purl.org/dc/terms/identifier")
HOSTILE = [
    'say "hi"',
    "a > b",
    "two\nlines\r\n",
    "} } ; DROP ALL ; #",
    '" } UNION { ?t ?p ?o } #',
    "SELECT * WHERE { ?s ?p ?o }",
    "<http://example.org/x>",
    "back\\slash \\u0022 and \\U0001F600",
    "tab\tbell\x07",
    "'''",
]


def query(text: str, name: str = "q") -> NamedQuery:
    return NamedQuery(name, text, "", (), "")


def kg(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
       ) -> tuple[int, str, str]:
    """Run the ``kg`` command line as a user would; return exit code, stdout and stderr."""
    monkeypatch.setattr(sys, "argv", ["kg", *args])
    with pytest.raises(SystemExit) as stop:
        main()
    out = capsys.readouterr()
    return int(stop.value.code or 0), out.out, out.err


# --- headers ------------------------------------------------------------------------------------


def test_every_query_file_has_a_summary_an_example_and_declares_its_parameters() -> None:
    queries = list_queries()
    assert len(queries) == len(list(QUERY_DIR.glob("*.rq"))) >= 16
    for q in queries:
        assert q.summary, q.name
        assert q.example.startswith(f"kg query {q.name}"), q.name
        for p in q.params:
            assert f"?{p.name}" in q.text, (q.name, p.name)


def test_list_shows_every_named_query_with_its_parameters(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = kg(["query", "--list"], monkeypatch, capsys)
    names = [line.split("\t")[0] for line in out.splitlines()]
    assert code == 0
    assert names == sorted(p.stem for p in QUERY_DIR.glob("*.rq"))
    assert "--param nct=<string>" in out
    assert "[--param role=any]" in out


def test_a_parameter_left_out_takes_its_default() -> None:
    bound = bind_params(load_query("sponsor-trials"), {"sponsor": "APHP"})
    assert bound[ox.Variable("role")] == ox.Literal("any")


def test_a_missing_parameter_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="needs --param nct="):
        bind_params(load_query("trial-sponsors"), {})


@pytest.mark.parametrize(("kind", "value"), [("decimal", "1e5"), ("decimal", "nan"),
                                             ("integer", "1.5"), ("iri", "not an iri")])
def test_a_value_that_does_not_fit_its_type_is_refused(kind: str, value: str) -> None:
    q = NamedQuery("q", "SELECT * WHERE { }", "", (Param("x", kind, ""),), "")
    with pytest.raises(UsageError, match="not a valid"):
        bind_params(q, {"x": value})


def test_numbers_bind_as_typed_literals() -> None:
    bound = bind_params(load_query("recruiting-near"), {"lat": "43.6", "lon": "-3", "km": "5"})
    assert bound[ox.Variable("lat")] == ox.Literal("43.6", datatype=ox.NamedNode(XSD + "decimal"))


def test_an_unknown_query_names_the_known_ones() -> None:
    with pytest.raises(QueryError, match="trial-sponsors"):
        load_query("no-such-query")


# --- where the VALUES block goes ------------------------------------------------------------------


def test_values_open_the_where_group_and_every_subquery_group() -> None:
    text = "SELECT ?a WHERE { ?a ?p ?n { SELECT ?a WHERE { ?a ?q ?n } } }"
    out = with_values(text, {ox.Variable("n"): ox.Literal("x")})
    assert out == (
        'SELECT ?a WHERE { VALUES ?n { "x" } ?a ?p ?n '
        '{ SELECT ?a WHERE { VALUES ?n { "x" } ?a ?q ?n } } }'
    )


def test_braces_and_where_in_strings_comments_and_iris_are_skipped() -> None:
    text = (
        "PREFIX w: <http://x/#where{>\n"
        "# WHERE { not here\n"
        "SELECT ?a ('WHERE {' AS ?s) (\"\"\"}\"\"\" AS ?t) WHERE { ?a w:where ?n }"
    )
    out = with_values(text, {ox.Variable("n"): ox.Literal("v")})
    assert out.endswith('WHERE { VALUES ?n { "v" } ?a w:where ?n }')
    assert out.count("VALUES") == 1


def test_a_subquery_alone_in_its_group_gets_the_values_inside_it() -> None:
    text = "SELECT ?a WHERE { SELECT ?a WHERE { ?a ?p ?n } }"
    out = with_values(text, {ox.Variable("n"): ox.Literal("v")})
    assert out == 'SELECT ?a WHERE { SELECT ?a WHERE { VALUES ?n { "v" } ?a ?p ?n } }'


def test_the_values_block_keeps_the_line_numbers_of_the_query_file() -> None:
    q = load_query("trial-publications")
    out = with_values(q.text, {ox.Variable("nct"): ox.Literal("a\nb")})
    assert out.count("\n") == q.text.count("\n")


def test_a_query_without_a_where_group_cannot_take_parameters() -> None:
    with pytest.raises(QueryError, match="no WHERE"):
        with_values("DESCRIBE ?x", {ox.Variable("x"): ox.Literal("v")})


# --- injection -----------------------------------------------------------------------------------


def _store_with_ids(ids: list[str]) -> ox.Store:
    store = ox.Store()
    for n, value in enumerate(ids):
        store.add(ox.Quad(ox.NamedNode(f"http://t/{n}"), DCT_ID, ox.Literal(value),
                          ox.NamedNode("http://g")))
    return store


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_binds_as_one_literal_and_finds_only_its_match(value: str) -> None:
    store = _store_with_ids([value, "NCT00000001"])
    q = query("SELECT ?t WHERE { ?t <http://purl.org/dc/terms/identifier> ?nct }")
    table = run_query(store, q, bind_params(q, {"nct": value}))
    assert table.rows == ((Cell("uri", "http://t/0"),),)
    assert len(store) == 2  # and nothing was changed


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_any_text_comes_back_from_the_store_unchanged(value: str) -> None:
    q = query("SELECT ?echo WHERE { BIND(?v AS ?echo) }")
    table = run_query(ox.Store(), q, bind_params(q, {"v": value}))
    assert table.rows == ((Cell.literal(value),),)


# --- cells and formats ---------------------------------------------------------------------------


def test_plain_and_xsd_string_literals_are_one_cell() -> None:
    assert Cell.literal("x", XSD + "string") == Cell.literal("x") == Cell("literal", "x")
    assert Cell.literal("x", lang="EN") == Cell("literal", "x", None, "en")


TABLE = ResultTable(
    ("name", "n", "iri"),
    ((Cell.literal('a "b"\nc'), Cell.literal("3", XSD + "integer"), Cell("uri", "http://x/y")),
     (Cell.literal("été", lang="fr"), None, None)),
)


def test_csv_writes_values_with_quotes_doubled() -> None:
    assert format_results(TABLE, OutputFormat.CSV) == (
        'name,n,iri\r\n"a ""b""\nc",3,http://x/y\r\nété,,\r\n'
    )


def test_tsv_writes_n_triples_terms_with_numbers_as_turtle_writes_them() -> None:
    """As the store writes SPARQL TSV (kg.query_output streams it): an integer is bare."""
    assert format_results(TABLE, OutputFormat.TSV).splitlines() == [
        "?name\t?n\t?iri",
        '"a \\"b\\"\\nc"\t3\t<http://x/y>',
        '"été"@fr\t\t',
    ]


def test_json_is_sparql_json_results() -> None:
    doc = orjson.loads(format_results(TABLE, OutputFormat.JSON))
    assert doc["head"]["vars"] == ["name", "n", "iri"]
    assert doc["results"]["bindings"][1] == {
        "name": {"type": "literal", "value": "été", "xml:lang": "fr"}}


def test_table_keeps_one_line_per_row() -> None:
    lines = format_results(TABLE, OutputFormat.TABLE).splitlines()
    assert len(lines) == 4
    assert lines[2].startswith('a "b" c  3')


# --- data files and the command line --------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_files(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> dict[str, Path]:
    """The seed built to a file of each kind kg writes that a query may read."""
    folder = tmp_path_factory.mktemp("seed-files")
    out = {}
    for ext in (".nq", ".ttl", ".trig.gz"):
        out[ext] = folder / f"seed{ext}"
        build([str(seed_path)], FileSink(out[ext]), base=DEFAULT_BASE)
    return out


@pytest.mark.parametrize("ext", [".ttl", ".trig.gz"])
def test_a_file_of_any_format_gives_the_rows_of_the_n_quads_file(
    seed_files: dict[str, Path], ext: str
) -> None:
    q = load_query("trial-sponsors")
    bindings = bind_params(q, {"nct": SEED_NCT})
    expected = run_query(load_data(seed_files[".nq"]), q, bindings)
    assert len(expected.rows) == 17
    assert run_query(load_data(seed_files[ext]), q, bindings) == expected


def test_query_on_a_file_prints_the_rows_of_the_store(
    seed_files: dict[str, Path],
    tmp_path: Path,
    seed_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, _ = kg(["build", str(seed_path), "--store", str(tmp_path / "s")], monkeypatch, capsys)
    assert code == 0
    for fmt in OutputFormat:
        args = ["query", "trial-sites", "-p", f"nct={SEED_NCT}", "--format", fmt.value]
        _, from_store, _ = kg([*args, "--store", str(tmp_path / "s")], monkeypatch, capsys)
        _, from_file, _ = kg([*args, "--data", str(seed_files[".nq"])], monkeypatch, capsys)
        assert from_store == from_file
        assert "Montpellier" in from_store


def test_a_query_read_from_stdin_takes_undeclared_parameters_as_strings(
    seed_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import io

    text = "SELECT ?t WHERE { ?t <http://purl.org/dc/terms/identifier> ?nct }"
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code, out, _ = kg(["query", "-", "-p", f"nct={SEED_NCT}", "--data", str(seed_files[".nq"]),
                       "-f", "csv"], monkeypatch, capsys)
    assert (code, out) == (0, f"t\r\n{DEFAULT_BASE}trial/{SEED_NCT}\r\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "trial-sponsors"], "needs --param nct="),
        (["query", "trial-sponsors", "-p", "nct"], "name=value"),
        (["query", "dataset-summary", "--data", "x.nq", "--endpoint", "http://x/q"], "one of"),
        (["query", "dataset-summary", "--timeout", "3"], "--endpoint only"),
        (["query", "dataset-summary", "--data", "missing.nq"], "no such file"),
        (["query", "no-such-query"], "unknown query"),
    ],
)
def test_bad_usage_exits_2_with_one_line_on_stderr(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = kg(args, monkeypatch, capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("kg: error: ") and message in err
    assert err.count("\n") == 1
