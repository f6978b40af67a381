"""Load test of ``kg serve``: requests/s and latency (p50, p95) with concurrent clients.

    python benchmarks/bench_serve.py --sizes 1000 [--work DIR] [--store DIR]
                                     [--clients 8] [--requests 400] [--max-seconds 60]

For each size (the cached synthetic store of ``_harness.store``), or for the ``--store`` given,
it starts ``kg serve`` on 127.0.0.1 (a free port; nothing else is ever contacted), then for each
scenario sends ``--requests`` requests from ``--clients`` threads (keep-alive connections) and
stops early at ``--max-seconds``. Scenarios: a trial's HTML page, its Turtle document, the 303 of
its IRI, an organisation's page, two named queries (one trial's sponsors; trials per country over
the whole store) and a SPARQL SELECT by NCT id. Every request is checked (status 200 or 303);
failures are counted, not retried.

Then the registry-wide aggregates under load (issue 15): while ``--clients`` threads keep sending
the light requests above (pages, one trial's sponsors, SELECT by NCT id), each aggregate named
query (a query without a per-entity parameter: ``bench_queries.entity_kind``) is asked
``--aggregate-runs`` times as ``/queries/NAME`` and as the SPARQL text kg runs for it on this store
(its indexed variant, parameters at their defaults) POSTed to ``/sparql``, and a page of 100 rows
from the middle of its answer (``/queries/NAME?limit=100&offset=...``). Each answer is checked:
200 within the server's time limit (``--query-timeout``, kg serve's default 10 s), whether the
server cut it at its row limit (``X-SPARQL-MaxRows``), its rows, and the rows of the whole answer
(``X-Total-Count``). Markdown on stdout, progress on stderr.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from _harness import REPO, log, machine, md_table, parse_args, store

Request = tuple[str, str, dict[str, str], bytes | None]  # method, path, headers, body
PAGE_ROWS = 100
"""Rows of the page of each aggregate asked as ``/queries/NAME?limit=...&offset=...``."""


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", type=Path, help="benchmark this store instead of the sizes")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (threads)")
    parser.add_argument("--requests", type=int, default=400, help="requests per scenario")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="time cap per scenario")
    parser.add_argument(
        "--query-timeout", type=float, default=10.0, help="kg serve --query-timeout (its default)"
    )
    parser.add_argument(
        "--aggregate-runs", type=int, default=3, help="runs of each aggregate under load (0: none)"
    )


class Server:
    """``kg serve`` in a child process, on a free port of 127.0.0.1."""

    def __init__(self, store_path: Path, query_timeout: float) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(  # noqa: S603 - our own CLI
            [
                sys.executable,
                "-m",
                "kg",
                "serve",
                "--store",
                str(store_path),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--workers",
                "2",
                "--query-timeout",
                f"{query_timeout:g}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            cwd=REPO,
        )
        assert self.process.stderr is not None
        line = self.process.stderr.readline().decode()
        url = next((w for w in line.split() if w.startswith("http://127.0.0.1:")), None)
        if url is None:
            raise RuntimeError(f"kg serve did not start: {line}")
        threading.Thread(target=self.process.stderr.read, daemon=True).start()
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if self.one(("GET", "/", {}, None))[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("kg serve did not answer in time")

    def one(
        self, request: Request, conn: http.client.HTTPConnection | None = None
    ) -> tuple[int, bytes]:
        status, _, body = self.full(request, conn)
        return status, body

    def full(
        self, request: Request, conn: http.client.HTTPConnection | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request; return its status, headers (lower-case names) and body."""
        own = conn is None
        conn = conn or http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            method, path, headers, body = request
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            head = {k.lower(): v for k, v in response.getheaders()}
            return response.status, head, response.read()
        finally:
            if own:
                conn.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    def row(self) -> list[object]:
        lat = sorted(self.latencies) or [0.0]
        p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
        return [
            self.name,
            self.requests,
            self.errors,
            self.requests / self.seconds,
            statistics.median(lat) * 1000,
            p95 * 1000,
        ]


def _send(
    server: Server, request: Request, conn: http.client.HTTPConnection
) -> tuple[int, http.client.HTTPConnection]:
    """Send one request on a kept-alive connection; a broken one is replaced (status 0)."""
    try:
        return server.one(request, conn)[0], conn
    except (OSError, http.client.HTTPException):
        conn.close()
        return 0, http.client.HTTPConnection(server.host, server.port, timeout=120)


def load(
    server: Server,
    name: str,
    make: Callable[[int], Request],
    total: int,
    clients: int,
    max_seconds: float,
) -> Result:
    """Send ``total`` requests from ``clients`` threads; stop issuing at ``max_seconds``."""
    counter = iter(range(total))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=120)
        try:
            while time.monotonic() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                start = time.perf_counter()
                status, conn = _send(server, make(i), conn)
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    if status not in (200, 303):
                        errors[0] += 1
        finally:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    log(f"{name}: {len(latencies)} requests in {seconds:.1f} s, {errors[0]} errors")
    return Result(name, len(latencies), errors[0], seconds, latencies)


def sample(server: Server, query: str, key: str, limit: int = 200) -> list[str]:
    """Ask the endpoint for some values to request (trials, organisations)."""
    body = urlencode({"query": query + f" LIMIT {limit}"}).encode()
    status, data = server.one(
        (
            "POST",
            "/sparql",
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
            body,
        )
    )
    if status != 200:
        raise RuntimeError(f"sampling failed: {status} {data[:200]!r}")
    return [b[key]["value"] for b in json.loads(data)["results"]["bindings"]]


def scenarios(server: Server, base: str) -> dict[str, Callable[[int], Request]]:
    ncts = sample(
        server,
        "SELECT DISTINCT ?id WHERE { ?t a <http://schema.org/MedicalTrial> ; "
        "<http://purl.org/dc/terms/identifier> ?id }",
        "id",
    )
    orgs = sample(server, "SELECT DISTINCT ?o WHERE { ?t <http://schema.org/sponsor> ?o }", "o")
    org_paths = ["/" + o.removeprefix(base) for o in orgs if o.startswith(base)]
    if not ncts or not org_paths:
        raise RuntimeError("the store has no trials or sponsors to request")
    select = (
        'SELECT ?name ?org WHERE {{ ?t <http://purl.org/dc/terms/identifier> "{}" ; '
        "<http://schema.org/sponsor> ?org . ?org <http://schema.org/name> ?name }}"
    )
    json_accept = {"Accept": "application/sparql-results+json"}
    return {
        "trial page (HTML)": lambda i: ("GET", f"/trial/{ncts[i % len(ncts)]}.html", {}, None),
        "trial document (Turtle)": lambda i: ("GET", f"/trial/{ncts[i % len(ncts)]}.ttl", {}, None),
        "trial IRI, 303 (Accept: text/turtle)": lambda i: (
            "GET",
            f"/trial/{ncts[i % len(ncts)]}",
            {"Accept": "text/turtle"},
            None,
        ),
        "organisation page (HTML)": lambda i: (
            "GET",
            f"{org_paths[i % len(org_paths)]}.html",
            {},
            None,
        ),
        "named query trial-sponsors": lambda i: (
            "GET",
            f"/queries/trial-sponsors?nct={ncts[i % len(ncts)]}",
            json_accept,
            None,
        ),
        "named query trials-per-country (whole store)": lambda i: (
            "GET",
            "/queries/trials-per-country",
            json_accept,
            None,
        ),
        "SPARQL SELECT by NCT id (POST)": lambda i: (
            "POST",
            "/sparql",
            {"Content-Type": "application/sparql-query", **json_accept},
            select.format(ncts[i % len(ncts)]).encode(),
        ),
    }


def _sparql_post(text: str) -> Request:
    return (
        "POST",
        "/sparql",
        {
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
        text.encode(),
    )


def aggregate_requests(server: Server) -> list[tuple[str, str, Request]]:
    """Each aggregate named query as ``/queries/NAME`` and as the SPARQL text kg runs for it.

    The text is what ``kg query`` runs on this store: its indexed variant when the store has what
    that reads (asked of the server, as kg asks a remote endpoint), parameters at their defaults.
    """
    from bench_queries import entity_kind

    from kg.indexed import STORE_MARKERS, choose
    from kg.queries import bind_params, list_queries, with_values

    def ask(text: str) -> bool:
        status, data = server.one(_sparql_post(text))
        if status != 200:
            raise RuntimeError(f"store marker query failed: {status} {data[:200]!r}")
        return bool(json.loads(data)["results"]["bindings"])

    has = {text: ask(text) for text in STORE_MARKERS.values()}  # asked once, not per query
    out: list[tuple[str, str, Request]] = []
    for query in list_queries():
        if entity_kind(query) is not None:
            continue
        bindings = bind_params(query, {})
        chosen = choose(query, bindings, has.__getitem__)
        json_accept = {"Accept": "application/sparql-results+json"}
        out.append((query.name, "/queries", ("GET", f"/queries/{query.name}", json_accept, None)))
        page = f"/queries/{query.name}?limit={PAGE_ROWS}&offset={{middle}}"
        out.append((query.name, f"/queries page of {PAGE_ROWS}", ("GET", page, json_accept, None)))
        out.append((query.name, "/sparql", _sparql_post(with_values(chosen.text, bindings))))
    return out


@dataclass
class Aggregate:
    query: str
    route: str
    statuses: list[int]
    latencies: list[float]
    rows: int | None
    truncated: bool
    total: int | None = None

    def row(self, limit: float) -> list[object]:
        ok = [t for t, s in zip(self.latencies, self.statuses, strict=True) if s == 200]
        median = statistics.median(self.latencies) if self.latencies else 0.0
        within = sum(1 for t in ok if t <= limit)
        return [
            self.query,
            self.route,
            "-" if self.rows is None else self.rows,
            "-" if self.total is None else self.total,
            "yes" if self.truncated else "no",
            median * 1000,
            max(self.latencies, default=0.0) * 1000,
            " ".join(str(s) for s in self.statuses),
            f"{within} of {len(self.statuses)}",
        ]


def under_load(
    server: Server,
    light: list[Callable[[int], Request]],
    heavy: list[tuple[str, str, Request]],
    args: argparse.Namespace,
) -> tuple[list[Aggregate], Result]:
    """Ask each aggregate ``--aggregate-runs`` times while ``--clients`` threads send light ones."""
    stop = threading.Event()
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def client(k: int) -> None:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=120)
        i = k
        try:
            while not stop.is_set():
                make = light[i % len(light)]
                i += 1
                start = time.perf_counter()
                status, conn = _send(server, make(i), conn)
                with lock:
                    latencies.append(time.perf_counter() - start)
                    if status not in (200, 303):
                        errors[0] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    results: list[Aggregate] = []
    try:
        time.sleep(2.0)  # the load is running before the first aggregate is asked
        totals: dict[str, int] = {}  # rows of each answer, from the whole answer's page
        for name, route, request in heavy:
            agg = Aggregate(name, route, [], [], None, False)
            method, path, headers, body_out = request
            # The page from the middle of the answer (counted by the first /queries request).
            middle = totals.get(name, 0) // 2 // PAGE_ROWS * PAGE_ROWS
            request = (method, path.replace("{middle}", str(middle)), headers, body_out)
            for _ in range(args.aggregate_runs):
                start = time.perf_counter()
                status, head, body = server.full(request)
                agg.latencies.append(time.perf_counter() - start)
                agg.statuses.append(status)
                if status == 200:
                    agg.rows = len(json.loads(body)["results"]["bindings"])
                    agg.truncated = agg.truncated or "x-sparql-maxrows" in head
                    if "x-total-count" in head:
                        agg.total = int(head["x-total-count"])
                        totals.setdefault(name, agg.total)
            log(
                f"under load: {name} {route}: {agg.statuses} {[round(t, 2) for t in agg.latencies]}"
            )
            results.append(agg)
    finally:
        stop.set()
        for t in threads:
            t.join()
    seconds = time.perf_counter() - started
    return results, Result(
        "light requests meanwhile", len(latencies), errors[0], seconds, latencies
    )


_LIGHT = (
    "trial page (HTML)",
    "organisation page (HTML)",
    "named query trial-sponsors",
    "SPARQL SELECT by NCT id (POST)",
)


def bench(store_path: Path, label: str, args: argparse.Namespace) -> str:
    log(f"serving {store_path}")
    server = Server(store_path, args.query_timeout)
    aggregates: list[Aggregate] = []
    try:
        base = "https://w3id.org/trialkg/"
        results = []
        made = scenarios(server, base)
        for name, make in made.items():
            server.one(make(0))  # warm caches once
            results.append(load(server, name, make, args.requests, args.clients, args.max_seconds))
        if args.aggregate_runs > 0:
            light = [made[name] for name in _LIGHT]
            aggregates, meanwhile = under_load(server, light, aggregate_requests(server), args)
    finally:
        server.stop()
    table = md_table(
        ["scenario", "requests", "errors", "requests/s", "p50 ms", "p95 ms"],
        [r.row() for r in results],
    )
    out = f"#### {label}\n\n{table}\n"
    if aggregates:
        limit = args.query_timeout
        agg_table = md_table(
            [
                "aggregate",
                "route",
                "rows",
                "rows in all",
                "cut at max rows",
                "median ms",
                "max ms",
                "statuses",
                f"200 within {limit:g} s",
            ],
            [a.row(limit) for a in aggregates],
        )
        light_table = md_table(
            ["light requests meanwhile", "requests", "errors", "requests/s", "p50 ms", "p95 ms"],
            [meanwhile.row()],
        )
        within = sum(
            1
            for a in aggregates
            if a.statuses and all(s == 200 for s in a.statuses) and max(a.latencies) <= limit
        )
        out += (
            f"\nRegistry-wide aggregates under load ({args.clients} clients sending light "
            f"requests meanwhile; {args.aggregate_runs} runs each; time limit {limit:g} s): "
            f"{within} of {len(aggregates)} answered every run within the limit.\n\n"
            f"{agg_table}\n\n{light_table}\n"
        )
    return out


def main() -> None:
    args = parse_args(__doc__, extra=add_options)
    info = machine()
    cmd = "python benchmarks/bench_serve.py " + " ".join(
        quote(a, safe="/=-.,") for a in sys.argv[1:]
    )
    out = [
        "### Serving (`kg serve`)",
        "",
        f"Command: `{cmd}`",
        "",
        f"{args.clients} concurrent clients on 127.0.0.1, {args.requests} requests per scenario "
        f"(keep-alive), 2 query workers. Machine: {info['cpu']}, load average "
        f"{info['load average (1, 5, 15 min)']}.",
        "",
    ]
    if args.store is not None:
        out.append(bench(args.store, f"store {args.store.name}", args))
    else:
        for n in args.sizes:
            out.append(bench(store(n, args.work), f"{n:,}-trial synthetic store", args))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
