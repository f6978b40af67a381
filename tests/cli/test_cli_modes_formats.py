"""Files meant to be served follow the umask; one name per format and per flag in every command."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pyoxigraph as ox
import pytest
from cli_support import SEED, SEED_NCT, kg
from typer.testing import CliRunner, Result

from kg.cli import app


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_export_and_its_checksum_follow_the_umask_like_build(
    small_store_path: Path, tmp_path: Path, umask: int, mode: int
) -> None:
    dump = tmp_path / "dumps" / "trials.nq.gz"
    done = kg("export", "-o", dump, "--store", small_store_path, umask=umask)
    assert done.returncode == 0, done.stderr
    built = kg("build", SEED, "-o", tmp_path / "seed.ttl", umask=umask)
    assert built.returncode == 0, built.stderr
    described = kg("void", "-o", tmp_path / "void.ttl", "--store", small_store_path, umask=umask)
    assert described.returncode == 0, described.stderr
    assert _mode(dump) == mode
    assert _mode(dump.with_name("trials.nq.gz.sha256")) == mode
    assert _mode(tmp_path / "seed.ttl") == mode
    assert _mode(tmp_path / "void.ttl") == mode
    assert not [p for p in dump.parent.iterdir() if p.name.endswith(".part")]


_SAME = [("ttl", "turtle"), ("nt", "ntriples"), ("nq", "nquads"), ("jsonld", "json-ld"),
         ("rdfxml", "rdf")]


@pytest.mark.parametrize(("short", "long"), _SAME)
def test_export_takes_both_names_of_a_format(
    small_store_path: Path, short: str, long: str
) -> None:
    a = kg("export", "-f", short, "-t", SEED_NCT, "--store", small_store_path)
    b = kg("export", "--format", long, "-t", SEED_NCT, "--store", small_store_path)
    assert a.returncode == 0, a.stderr
    assert b.returncode == 0, b.stderr
    assert a.stdout == b.stdout and a.stdout


def test_similar_and_validate_take_turtle_as_ttl(small_store_path: Path) -> None:
    for command in (["similar", SEED_NCT, "-k", "3"], ["validate"]):
        a = kg(*command, "-f", "ttl", "--store", small_store_path)
        b = kg(*command, "-f", "turtle", "--store", small_store_path)
        assert a.returncode == b.returncode == 0, a.stderr + b.stderr
        assert a.stdout == b.stdout
        graph = ox.Store()
        graph.load(a.stdout.encode(), ox.RdfFormat.TURTLE)
        assert len(graph) > 0


def _listed_formats(help_text: str) -> list[str]:
    m = re.search(r"--format ([a-z|-]+)", help_text)
    assert m, help_text
    return m.group(1).split("|")


def test_void_lists_only_formats_that_work(small_store_path: Path) -> None:
    listed = _listed_formats(kg("void", "--help").stdout)
    assert set(listed) == {"ttl", "nt", "jsonld", "rdfxml"}
    parse = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
             "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
    for name in listed:
        done = kg("void", "-f", name, "--store", small_store_path)
        assert done.returncode == 0, (name, done.stderr)
        graph = ox.Store()
        graph.load(done.stdout.encode(), parse[name])
        assert len(graph) > 0, name
    refused = kg("void", "-f", "nq", "--store", small_store_path)
    assert refused.returncode == 2
    assert "Value error" not in refused.stderr
    assert "'ttl', 'nt', 'jsonld', 'rdfxml'" in refused.stderr


@pytest.mark.parametrize("command", ["export", "void", "validate", "similar", "query"])
def test_every_format_option_lists_names_that_it_accepts(command: str, tmp_path: Path) -> None:
    # The names --help lists (as a user reads them), each given to the command itself (in this
    # process: --help would stop before --format is read): a name it refuses is a usage error,
    # exit 2; one it accepts gets as far as the store, missing here (exit 1).
    listed = _listed_formats(kg(command, "--help").stdout)
    needed = {"similar": [SEED_NCT], "query": ["trial-sites"]}.get(command, [])

    def given(name: str) -> Result:
        args = [command, *needed, "--format", name, "--store", str(tmp_path / "no-store")]
        return CliRunner().invoke(app, args)

    for name in listed:
        done = given(name)
        assert done.exit_code != 2 and "--format" not in done.output, (command, name, done.output)
    refused = given("no-such-format")
    assert refused.exit_code == 2 and "--format" in refused.output, refused.output
    assert not (tmp_path / "no-store").exists()


def test_dash_p_is_param_in_query(small_store_path: Path) -> None:
    a = kg("query", "trial-sites", "-p", f"nct={SEED_NCT}", "-f", "csv", "--store",
           small_store_path)
    b = kg("query", "trial-sites", "--param", f"nct={SEED_NCT}", "-f", "csv", "--store",
           small_store_path)
    assert a.returncode == 0 and a.stdout == b.stdout
    for command in ("query", "serve", "export", "void", "similar", "network"):
        help_text = kg(command, "--help").stdout
        short = re.findall(r"-p, (--[a-z-]+)", help_text)
        assert short in ([], ["--param"]), (command, short)


@pytest.mark.parametrize("flag", ["--quiet", "-q"])
def test_quiet_goes_before_or_after_the_command(tmp_path: Path, flag: str) -> None:
    before = kg(flag, "build", SEED, "-o", tmp_path / "a.nt")
    after = kg("build", SEED, "-o", tmp_path / "b.nt", flag)
    loud = kg("build", SEED, "-o", tmp_path / "c.nt")
    assert before.returncode == after.returncode == loud.returncode == 0
    assert before.stderr == after.stderr == ""
    assert loud.stderr.startswith("kg: 1 trial, ")
    assert (tmp_path / "a.nt").read_bytes() == (tmp_path / "b.nt").read_bytes()


def test_debug_goes_after_the_command_too(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    plain = kg("build", missing, "-o", tmp_path / "x.nt")
    debug = kg("build", missing, "-o", tmp_path / "x.nt", "--debug")
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    assert debug.returncode != 0 and "Traceback" in debug.stderr
