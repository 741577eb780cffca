"""The Voila server the project runs: Voila with guards on the kernel websocket.

Voila 0.5.13 reads every binary message it sends to a page as if it were in the v1 kernel
websocket protocol. A client that connects without naming that protocol gets the older format,
whose first bytes Voila then takes for a count of billions: the server stops answering and its
memory grows without bound. This server refuses kernel websockets that do not speak v1 (every
page the project serves does) and checks the framing of every binary message before anything
reads it. Run it as `python -m empathy_training.voila_app` with Voila's own options.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from jupyter_server.utils import url_path_join
from tornado import web
from voila.app import Voila
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from .serve import APP_PAGES, TEMPLATE, TEMPLATE_ROOT

__all__ = [
    "KERNEL_PROTOCOL",
    "MAX_PAGES_ENV",
    "GuardedKernelWebsocketHandler",
    "GuardedVoila",
    "LandingHandler",
    "main",
]

log = logging.getLogger(__name__)

#: The kernel websocket subprotocol every page served here uses.
KERNEL_PROTOCOL = "v1.kernel.websocket.jupyter.org"
#: Most parts a v1 message may have (channel, header, parent, metadata, content, buffers).
MAX_MESSAGE_PARTS = 64
#: Environment variable: most app pages open at once (each holds a kernel of about 90 MB).
MAX_PAGES_ENV = "EMPATHY_TRAINING_MAX_PAGES"
#: Default for MAX_PAGES_ENV: a room of 40 trainees with a supervisor and some reloads.
DEFAULT_MAX_PAGES = 50
#: Request header, set by this server, that Voila passes to a page's kernel as HTTP_X_...
CLIENT_HEADER = "X-Empathy-Client"
#: Kernels kept started ahead of page loads (see notebooks/voila.json), not counted as pages.
PREHEATED_KERNELS = 2
ROOM_FULL_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>The room is full</title></head>
<body style="font-family: sans-serif; max-width: 36rem; margin: 4rem auto; line-height: 1.5">
<h1>The room is full</h1>
<p>Every place on this server is taken just now. Try again in a minute; a place frees up as
soon as someone closes their page.</p></body></html>"""


def v1_offsets(message: bytes) -> list[int] | None:
    """The part offsets of a v1 binary message, or None if its framing is not valid.

    A v1 message starts with a little-endian count of offsets, then the offsets, which must
    lie inside the message and never decrease.
    """
    if len(message) < 8:
        return None
    count = int.from_bytes(message[:8], "little")
    if count < 2 or count > MAX_MESSAGE_PARTS or 8 * (count + 1) > len(message):
        return None
    offsets = [int.from_bytes(message[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    if offsets[0] < 8 * (count + 1) or offsets != sorted(offsets) or offsets[-1] > len(message):
        return None
    return offsets


def v1_header(message: bytes) -> dict[str, Any] | None:
    """The header of a v1 binary message, or None if it has none that can be read."""
    offsets = v1_offsets(message)
    if offsets is None or len(offsets) < 3:
        return None
    try:
        header = json.loads(message[offsets[1] : offsets[2]].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return header if isinstance(header, dict) else None


class GuardedKernelWebsocketHandler(VoilaKernelWebsocketHandler):  # type: ignore[misc]
    """Voila's kernel websocket, refused without the v1 protocol and checked message by message."""

    async def get(self, *args: Any, **kwargs: Any) -> None:
        """Refuse the upgrade unless the client asks for the v1 kernel protocol."""
        offered = self.request.headers.get("Sec-WebSocket-Protocol", "")
        if KERNEL_PROTOCOL not in [p.strip() for p in offered.split(",")]:
            log.warning("refused a kernel websocket without the %s protocol", KERNEL_PROTOCOL)
            raise web.HTTPError(400, f"kernel websockets must use {KERNEL_PROTOCOL}")
        await super().get(*args, **kwargs)

    def select_subprotocol(self, subprotocols: list[str]) -> str | None:
        """Always v1 (the upgrade was refused without it)."""
        return KERNEL_PROTOCOL if KERNEL_PROTOCOL in subprotocols else None

    def on_message(self, message: str | bytes) -> None:
        """Pass a well-framed message on to the kernel; close the socket on anything else."""
        if not isinstance(message, bytes) or v1_offsets(message) is None:
            log.warning("closed a kernel websocket that sent a malformed message")
            self.close(code=1003, reason="malformed message")
            return
        super().on_message(message)

    def write_message(self, message: bytes | dict[str, Any], binary: bool = False) -> Any:
        """Send a kernel message to the page, except the echo of executed code."""
        if isinstance(message, bytes):
            header = v1_header(message)
        elif isinstance(message, dict):
            header = message.get("header")
        else:
            header = None
        if isinstance(header, dict) and header.get("msg_type") == "execute_input":
            return None
        return super(VoilaKernelWebsocketHandler, self).write_message(message, binary)


class ClosingPageHandler(VoilaShutdownKernelHandler):  # type: ignore[misc]
    """Shuts a closed page's kernel down. The page's beforeunload request cannot carry the
    XSRF token Voila 0.5.13 asks for (voila issue 1458), so none is asked: the kernel id, a
    random UUID only that page knows, is the credential."""

    def check_xsrf_cookie(self) -> None:
        """No token: see the class docstring."""

    async def post(self, kernel_id: str) -> None:
        """Shut the kernel down if it is still running."""
        if kernel_id not in self.kernel_manager.list_kernel_ids():
            self.set_status(204)
            self.finish()
            return
        await super().post(kernel_id)


def max_pages() -> int:
    """Most pages open at once: MAX_PAGES_ENV, else DEFAULT_MAX_PAGES."""
    try:
        return max(1, int(os.environ.get(MAX_PAGES_ENV, DEFAULT_MAX_PAGES)))
    except ValueError:
        return DEFAULT_MAX_PAGES


class CappedPageHandler(TornadoVoilaHandler):  # type: ignore[misc]
    """An app page, or "the room is full" when every place is taken."""

    rendering = 0
    """Pages being rendered now, whose kernels may not be running yet."""

    async def get(self, path: str | None = None) -> None:
        """Render the page unless MAX_PAGES_ENV pages are open (or opening) already."""
        running = len(self.kernel_manager.list_kernel_ids())
        # A page being rendered may or may not have its kernel running yet: count it once.
        opening = CappedPageHandler.rendering + PREHEATED_KERNELS
        if max(running, opening) >= max_pages() + PREHEATED_KERNELS:
            log.warning("refused a page: %d kernels running, %d rendering", running, opening)
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(ROOM_FULL_PAGE)
            return
        # The page's kernel learns which device asked for it (for limits on passcode guessing);
        # whatever the client sent under this name is replaced.
        self.request.headers[CLIENT_HEADER] = self.request.remote_ip or "unknown device"
        CappedPageHandler.rendering += 1
        try:
            await super().get(path)
        finally:
            CappedPageHandler.rendering -= 1


class AppPageHandler(CappedPageHandler):
    """One app at its own address (/practice, /dashboard, /grading): no file names shown."""

    def initialize(self, **kwargs: Any) -> None:
        """Take the app's notebook from the route's arguments."""
        self.app_notebook: str = kwargs.pop("app_notebook")
        super().initialize(**kwargs)

    async def get(self, path: str | None = None) -> None:
        """Render this app's notebook."""
        await super().get(self.app_notebook)


class LandingHandler(web.RequestHandler):
    """The front door: the three apps in plain words, instead of Voila's file list."""

    def initialize(self, **kwargs: Any) -> None:
        """Ignore the tree handler's options."""

    def get(self, path: str | None = None) -> None:
        """The landing page (every tree address leads here)."""
        if path:
            self.redirect(self.settings.get("base_url", "/"))
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(LANDING_PAGE.read_text(encoding="utf-8"))


#: The landing page's HTML, kept beside the template.
LANDING_PAGE = TEMPLATE_ROOT / "voila" / "templates" / TEMPLATE / "landing.html"

_REPLACED = {
    VoilaKernelWebsocketHandler: GuardedKernelWebsocketHandler,
    VoilaShutdownKernelHandler: ClosingPageHandler,
    TornadoVoilaHandler: CappedPageHandler,
    TornadoVoilaTreeHandler: LandingHandler,
}


class GuardedVoila(Voila):  # type: ignore[misc]
    """Voila with the guarded kernel websocket, a page cap and working shutdown on close."""

    def init_handlers(self) -> list[Any]:
        """Voila's handlers, with the kernel websocket, page and shutdown handlers replaced."""
        handlers: list[Any] = []
        page_options: dict[str, Any] = {}
        for handler in super().init_handlers():
            if len(handler) > 1 and handler[1] is TornadoVoilaHandler:
                page_options = handler[2]
            if len(handler) > 1 and handler[1] in _REPLACED:
                handler = (handler[0], _REPLACED[handler[1]], *handler[2:])
            handlers.append(handler)
        apps = [
            (
                url_path_join(self.server_url, app),
                AppPageHandler,
                {**page_options, "app_notebook": nb},
            )
            for app, nb in APP_PAGES.items()
        ]
        return apps + handlers


def main() -> None:
    """Run the guarded Voila server with the command line's options."""
    GuardedVoila.launch_instance()


if __name__ == "__main__":
    main()
