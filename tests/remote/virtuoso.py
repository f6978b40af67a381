"""A real Virtuoso 7 server (Debian's virtuoso-opensource-7-bin) for the remote tests.

``.ci/system-setup.sh`` installs the package; the suite starts one server per session on free
ports of 127.0.0.1, in a fresh database folder, with the settings of Debian's default
``virtuoso.ini`` that matter to kg (``ResultSetMaxRows = 10000``, the query cost and time limits).
The public endpoints (``/sparql``, ``/sparql-graph-crud``) are read-only as shipped; the user
``kgpush`` (password ``kgpush-secret``) may write through the Digest-authenticated ones
(``/sparql-auth``, ``/sparql-graph-crud-auth``), which is how users should push.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from servers import free_port

VIRTUOSO = "/usr/bin/virtuoso-t"
ISQL = "/usr/bin/isql-vt"
SETUP_HINT = "run .ci/system-setup.sh (installs Debian's virtuoso-opensource-7-bin)"

USER = "kgpush"
PASSWORD = "kgpush-secret"  # noqa: S105 - a throwaway account of a throwaway test server

_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
DirsAllowed = ., {dir}, {load_dir}
DefaultIsolation = 2
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 8
ServerThreads = 8
EnabledDavVSP = 0
HTTPProxyEnabled = 0
MaxKeepAlives = 10
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
DefaultGraph =
DefaultQuery = select distinct ?Concept where {{[] a ?Concept}} LIMIT 100
"""


def _require_binaries() -> None:
    for program in (VIRTUOSO, ISQL):
        if not Path(program).is_file():
            pytest.fail(f"{program} is missing: {SETUP_HINT}")


class VirtuosoServer:
    """One ``virtuoso-t`` process in a fresh database folder on 127.0.0.1."""

    def __init__(
        self,
        folder: Path | None = None,
        *,
        max_rows: int = 10000,
        buffers: int = 170000,
        load_dir: Path | None = None,
    ) -> None:
        self._own = folder is None
        self.folder = folder or Path(tempfile.mkdtemp(prefix="kg-virtuoso-"))
        self.load_dir = load_dir or self.folder / "load"
        self.max_rows = max_rows
        self.buffers = buffers
        self.sql_port = free_port()
        self.http_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        """The public, read-only SPARQL endpoint."""
        return f"{self.base}/sparql"

    @property
    def auth_query_url(self) -> str:
        """The Digest-authenticated SPARQL endpoint (queries and updates)."""
        return f"{self.base}/sparql-auth"

    @property
    def store_url(self) -> str:
        """The public Graph Store Protocol endpoint (read-only as shipped)."""
        return f"{self.base}/sparql-graph-crud"

    @property
    def auth_store_url(self) -> str:
        """The Digest-authenticated Graph Store Protocol endpoint."""
        return f"{self.base}/sparql-graph-crud-auth"

    def start(self, wait: float = 60.0) -> VirtuosoServer:
        """Start the server, create the push account, return once /sparql answers.

        On a failure the server is stopped and a folder this object made is removed first.
        """
        try:
            _require_binaries()
        except BaseException:  # pytest.fail's exception is not an Exception
            self.stop()
            raise
        self.load_dir.mkdir(parents=True, exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        ini.write_text(
            _INI.format(
                dir=self.folder,
                load_dir=self.load_dir,
                sql_port=self.sql_port,
                http_port=self.http_port,
                max_rows=self.max_rows,
                buffers=self.buffers,
                dirty=self.buffers * 3 // 4,
            ),
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [VIRTUOSO, "+configfile", str(ini), "+foreground"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + wait
        probe = f"{self.query_url}?query=ASK%7B%7D"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                message = f"virtuoso-t exited with {self.process.returncode}: {self.log_tail()}"
                self.stop()
                pytest.fail(message)
            try:
                with urllib.request.urlopen(probe, timeout=2) as answer:
                    if answer.status == 200:
                        self._create_account()
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        message = f"virtuoso-t did not answer on {self.base} within {wait} s: {self.log_tail()}"
        self.stop()
        pytest.fail(message)

    def _create_account(self) -> None:
        self.isql(
            f"DB.DBA.USER_CREATE('{USER}', '{PASSWORD}');",
            f'GRANT SPARQL_UPDATE TO "{USER}";',
            f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{USER}', 7);",
        )

    def make_public_writable(self) -> None:
        """Let anonymous /sparql and /sparql-graph-crud write, as some users set up their server."""
        self.isql(
            'GRANT SPARQL_UPDATE TO "SPARQL";', "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 7);"
        )

    def isql(self, *statements: str) -> str:
        """Run SQL statements as ``dba`` through ``isql-vt``; fail the test on an error."""
        script = "\n".join(statements) + "\n"
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", "VERBOSE=OFF", "BANNER=OFF"],
            input=script.encode(),
            capture_output=True,
            timeout=600,
            check=False,
        )
        out = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
        if done.returncode != 0 or "*** Error" in out:
            pytest.fail(f"isql-vt failed ({done.returncode}): {out.strip()[:2000]}")
        return out

    def scalar(self, statement: str) -> str:
        """Run one SQL (or ``SPARQL ...``) statement that answers one value; return it as text."""
        out = self.isql(statement)
        values = [line.removeprefix("SQL> ").strip() for line in out.splitlines()]
        values = [value for value in values if value]
        if len(values) != 1:
            pytest.fail(f"isql-vt gave no single value for {statement!r}: {out!r}")
        return values[0]

    def log_tail(self, lines: int = 20) -> str:
        log = self.folder / "virtuoso.log"
        if not log.is_file():
            return "(no log)"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and remove a folder this object made."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._own:
            shutil.rmtree(self.folder, ignore_errors=True)
