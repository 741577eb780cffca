"""Serving the apps with Voila: the command line, readiness, and the URLs to share."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import webbrowser
from dataclasses import dataclass
from pathlib import Path

from .errors import EmpathyTrainingError

#: Kernels idle this long with no page connected are shut down (a closed page's kernel).
CULL_IDLE_SECONDS = 600
#: How often the server looks for such kernels.
CULL_INTERVAL_SECONDS = 60
#: How long to wait for the server to answer before giving up.
STARTUP_TIMEOUT_SECONDS = 60
#: The notebook trainees open.
PRACTICE_NOTEBOOK = "practice.ipynb"
#: The supervisor's live dashboard.
DASHBOARD_NOTEBOOK = "dashboard.ipynb"
#: The grader's app.
GRADING_NOTEBOOK = "grading.ipynb"
#: Each app's address on the server, and its notebook.
APP_PAGES = {
    "practice": PRACTICE_NOTEBOOK,
    "dashboard": DASHBOARD_NOTEBOOK,
    "grading": GRADING_NOTEBOOK,
}
#: The Voila template the apps are served with: Voila's lab template with no CDN assets,
#: a lost-connection banner and drafts kept in the browser.
TEMPLATE = "empathy"
#: The only JupyterLab extensions the pages load: the widget managers (no code highlighting,
#: since no code is shown).
LAB_EXTENSIONS = ("@voila-dashboards/widgets-manager8", "@jupyter-widgets/jupyterlab-manager")
#: The Jupyter data folder that holds TEMPLATE.
TEMPLATE_ROOT = Path(__file__).parent / "share" / "jupyter"


@dataclass(frozen=True)
class ServerPlan:
    """Everything needed to start the server and tell people where to go."""

    command: tuple[str, ...]
    """The Voila command line."""
    env: dict[str, str]
    """Environment for the server and its kernels."""
    base_url: str
    """Where the server listens, as a URL."""

    def app_url(self, notebook: str, host: str | None = None) -> str:
        """The URL of one notebook's app; `host` replaces the listening address."""
        base = self.base_url if host is None else _with_host(self.base_url, host)
        page = {nb: app for app, nb in APP_PAGES.items()}.get(notebook)
        return f"{base}{page}" if page else f"{base}voila/render/{notebook}"


def notebooks_dir() -> Path:
    """The apps' notebooks folder of a source checkout."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "notebooks", here.parent / "notebooks"):
        if (candidate / PRACTICE_NOTEBOOK).is_file():
            return candidate
    raise EmpathyTrainingError("the notebooks folder with practice.ipynb was not found")


def plan(
    *,
    db_url: str,
    host: str = "127.0.0.1",
    port: int = 8866,
    preheat: bool = True,
    notebooks: Path | None = None,
) -> ServerPlan:
    """Build the Voila command: bound to `host`, kernels culled, practice kernels preheated.

    `voila.json` beside the notebooks sets the websocket limit for uploaded spreadsheets and
    how many kernels each notebook keeps preheated (only the practice app, which many open).
    """
    folder = notebooks or notebooks_dir()
    command = (
        sys.executable,
        "-m",
        "empathy_training.voila_app",
        str(folder),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        "--theme=light",
        f"--template={TEMPLATE}",
        f"--VoilaConfiguration.extension_allowlist={list(LAB_EXTENSIONS)}",
        "--VoilaConfiguration.http_header_envs=['X-Empathy-Client']",
        "--strip_sources=True",
        "--show_tracebacks=False",
        f"--Voila.config_file_paths={folder}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_SECONDS}",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
        "--MappingKernelManager.cull_connected=False",
        f"--preheat_kernel={preheat}",
    )
    env = dict(os.environ)
    env["EMPATHY_TRAINING_DB"] = db_url
    env["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(TEMPLATE_ROOT), env.get("JUPYTER_PATH", "")) if p
    )
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    display_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return ServerPlan(command, env, f"http://{display_host}:{port}/")


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll the static script (a notebook GET would start a kernel) until the server answers."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    probe = f"{base_url}voila/static/voila.js"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise EmpathyTrainingError(
                f"the server stopped while starting (exit code {process.returncode}); "
                "is the port already in use?"
            )
        try:
            with urllib.request.urlopen(probe, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise EmpathyTrainingError(f"the server did not answer at {base_url} in time")


def port_is_free(host: str, port: int) -> bool:
    """Whether nothing listens on host:port yet."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def run(
    *,
    db_url: str | None,
    host: str,
    port: int,
    open_browser: bool,
    passcode: str | None = None,
    workshop_name: str | None = None,
) -> int:
    """Start Voila, print where to go, open the practice app, and wait until stopped."""
    from .loading import load_library
    from .passcode import has_passcode, set_passcode
    from .storage import Store, default_database_url

    url = db_url or default_database_url()
    store = Store(url)  # create or migrate the database before any kernel uses it
    try:
        if passcode:
            set_passcode(store, passcode)
        if workshop_name:
            vignettes = [v.id for v in load_library().vignettes]
            store.create_workshop(workshop_name, vignettes)
        supervised = has_passcode(store)
        workshops = [w for w in store.workshops() if not w.closed]
    finally:
        store.close()
    if not port_is_free(host, port):
        raise EmpathyTrainingError(f"port {port} on {host} is in use; choose another with --port")
    preheat = os.environ.get("EMPATHY_TRAINING_PREHEAT", "1") != "0"
    server = plan(db_url=url, host=host, port=port, preheat=preheat)
    trainee_url = server.app_url(PRACTICE_NOTEBOOK, _lan_host(host))
    server.env["EMPATHY_TRAINING_TRAINEE_URL"] = trainee_url
    # Voila and its kernels get a process group of their own, stopped together (also on TERM).
    process = subprocess.Popen(server.command, env=server.env, start_new_session=True)
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        wait_until_ready(server.base_url, process)
        print(f"Database: {_safe_url(url)}")
        print(f"Practice app (trainees): {trainee_url}")
        if supervised:
            print(f"Supervisor dashboard: {server.app_url(DASHBOARD_NOTEBOOK, _lan_host(host))}")
            print(f"Grading: {server.app_url(GRADING_NOTEBOOK, _lan_host(host))}")
        else:
            print("Supervisor apps are locked: start with --passcode to use them.")
        for workshop in workshops:
            print(f"Join code for '{workshop.name}': {workshop.join_code}")
        print("Press Ctrl+C to stop.", flush=True)
        if open_browser:
            webbrowser.open(server.app_url(PRACTICE_NOTEBOOK))
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl+C must not orphan Voila
        _stop_group(process)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop Voila and every kernel it started: interrupt, then kill what is left."""
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait()


def _lan_host(host: str) -> str | None:
    """The address other machines in the room use, when listening on every interface."""
    if host not in ("0.0.0.0", "::"):
        return None
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return socket.gethostname()


def _with_host(url: str, host: str) -> str:
    scheme, rest = url.split("://", 1)
    port = rest.split("/", 1)[0].rsplit(":", 1)[1]
    return f"{scheme}://{host}:{port}/"


def _safe_url(url: str) -> str:
    """The database URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
