"""A throwaway PostgreSQL server in a temporary directory, for tests and benchmarks."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

#: Unprivileged account that runs the server when we are root (PostgreSQL refuses root).
SERVER_ACCOUNTS = ("postgres", "nobody")
#: Settings that trade crash safety for speed; fine for a database thrown away after the tests.
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def find_bin_dir() -> Path | None:
    """Directory holding `initdb` and `pg_ctl`, or None when PostgreSQL is not installed.

    Looks at `PG_BINDIR`, then `PATH`, then Debian's and Ubuntu's versioned directories
    (`apt-get install postgresql` does not put `initdb` on `PATH`).
    """
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    versioned = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(
        (Path(p) for p in versioned),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_account() -> str | None:
    """The account to run the server as: None for ourselves, else an unprivileged user."""
    if os.geteuid() != 0:
        return None
    for name in SERVER_ACCOUNTS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError(f"running as root and none of the accounts {SERVER_ACCOUNTS} exists")


class PostgresServer:
    """A PostgreSQL server on 127.0.0.1 and a free port, with its data in a temporary directory.

    Use as a context manager, or call `start()` and `stop()`. `url(database)` gives a
    SQLAlchemy URL for psycopg 3; `create_database(name)` adds an empty database.
    """

    def __init__(self, bin_dir: Path, *, fast: bool = True, max_connections: int = 200) -> None:
        self.bin_dir = bin_dir
        self.fast = fast
        self.max_connections = max_connections
        self.port = 0
        self.base_dir: Path | None = None
        self._account = _server_account()

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        assert self.base_dir is not None, "server not started"
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        """The server's log."""
        assert self.base_dir is not None, "server not started"
        return self.base_dir / "server.log"

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self._account is not None:
            command = ["runuser", "-u", self._account, "--", *command]
        return subprocess.run(
            command,
            cwd=self.base_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
        )

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return "(no server log)"

    def start(self) -> PostgresServer:
        """Create the cluster and start the server; raise RuntimeError with its log if it fails."""
        self.base_dir = Path(tempfile.mkdtemp(prefix="empathy-training-pg-"))
        self.base_dir.chmod(0o755)
        if self._account is not None:
            account = pwd.getpwnam(self._account)
            os.chown(self.base_dir, account.pw_uid, account.pw_gid)
        init = self._run(
            "initdb",
            "--pgdata",
            str(self.data_dir),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )
        if init.returncode != 0:
            self._cleanup()
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": "''",
            "max_connections": str(self.max_connections),
            "shared_buffers": "'32MB'",
            **(FAST_SETTINGS if self.fast else {}),
        }
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        for _ in range(5):
            self.port = _free_port()
            started = self._run(
                "pg_ctl",
                "start",
                "--wait",
                "--timeout",
                "60",
                "--pgdata",
                str(self.data_dir),
                "--log",
                str(self.log_file),
                "--options",
                f"-p {self.port}",
            )
            if started.returncode == 0:
                return self
            if "could not bind" not in self._log_tail():
                break
        log = self._log_tail()
        self._cleanup()
        raise RuntimeError(f"PostgreSQL did not start:\n{started.stderr}\n{log}")

    def stop(self) -> None:
        """Stop the server and delete its files."""
        if self.base_dir is None:
            return
        self._run("pg_ctl", "stop", "--wait", "--mode", "fast", "--pgdata", str(self.data_dir))
        self._cleanup()

    def _cleanup(self) -> None:
        if self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of a database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        import psycopg

        if not name.isidentifier():
            raise ValueError(f"not a plain database name: {name!r}")
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(f"CREATE DATABASE {name} TEMPLATE template0 STRATEGY FILE_COPY")
        return self.url(name)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
