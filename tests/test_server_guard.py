"""Raw requests against `serve`: hostile kernel websocket clients cannot freeze the server."""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

from empathy_training.voila_app import KERNEL_PROTOCOL, v1_header, v1_offsets

from browser import served

pytestmark = pytest.mark.browser  # starts the real server


def _message(
    msg_type: str, content: dict[str, object], metadata: dict[str, object] | None = None
) -> dict[str, object]:
    header = {
        "msg_id": uuid.uuid4().hex,
        "msg_type": msg_type,
        "username": "x",
        "session": uuid.uuid4().hex,
        "version": "5.3",
        "date": "2026-01-01T00:00:00Z",
    }
    return {
        "header": header,
        "parent_header": {},
        "metadata": metadata or {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


def _kernel_id(base: str) -> str:
    with urllib.request.urlopen(f"{base}voila/render/practice.ipynb", timeout=60) as reply:
        page = reply.read().decode()
    found = re.search(r'kernelId": "([0-9a-f-]{36})', page)
    assert found, "the practice page names its kernel"
    return found.group(1)


def _answers_within(base: str, seconds: float) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(f"{base}voila/static/voila.js", timeout=seconds) as reply:
        assert reply.status == 200
    return time.monotonic() - started


def _v1(message: dict[str, object]) -> bytes:
    """A kernel message in the v1 websocket framing."""
    parts = [str(message["channel"]).encode()] + [
        json.dumps(message[key]).encode()
        for key in ("header", "parent_header", "metadata", "content")
    ]
    offsets, position = [], 8 * (len(parts) + 2)
    for part in parts:
        offsets.append(position)
        position += len(part)
    offsets.append(position)
    head = len(offsets).to_bytes(8, "little")
    return head + b"".join(o.to_bytes(8, "little") for o in offsets) + b"".join(parts)


async def _request_states(ws: WebSocketClientConnection, *, v1: bool = False) -> None:
    """Open a comm to the widget manager and ask for every widget's state."""
    comm_id = uuid.uuid4().hex
    opening = {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}}
    asking = {"comm_id": comm_id, "data": {"method": "request_states"}}
    for message in (
        _message("comm_open", opening, {"version": "1.0.0"}),
        _message("comm_msg", asking),
    ):
        await ws.write_message(_v1(message) if v1 else json.dumps(message), binary=v1)


def test_a_websocket_without_the_v1_protocol_is_refused_and_the_server_keeps_answering(
    tmp_path: Path,
) -> None:
    with served(f"sqlite:///{tmp_path / 'guard.db'}") as base:
        kernel = _kernel_id(base)
        url = f"ws://127.0.0.1:{base.rsplit(':', 1)[1].strip('/')}/api/kernels/{kernel}/channels"

        async def attack() -> str:
            try:
                ws = await websocket_connect(url)  # no subprotocol: the older message format
            except HTTPClientError as exc:
                return f"refused {exc.code}"
            await _request_states(ws)
            await asyncio.sleep(2)
            ws.close()
            return "accepted"

        assert asyncio.run(attack()) == "refused 400"
        assert _answers_within(base, 1.0) < 1.0

        async def v1_client() -> tuple[str | None, int | None, bytes]:
            request = HTTPRequest(url)
            ws = await websocket_connect(request, subprotocols=[KERNEL_PROTOCOL])
            protocol = ws.selected_subprotocol
            await _request_states(ws, v1=True)
            states = b""
            while b"update_states" not in states:
                reply = await asyncio.wait_for(ws.read_message(), 30)
                assert isinstance(reply, bytes), "v1 messages are binary"
                header = v1_header(reply)
                if header and header.get("msg_type") == "comm_msg":
                    states = reply
            # a binary frame whose offset count claims billions of parts
            await ws.write_message((2**62).to_bytes(8, "little") + b"\0" * 64, binary=True)
            while await asyncio.wait_for(ws.read_message(), 30) is not None:
                pass
            return protocol, ws.close_code, states

        protocol, closed, states = asyncio.run(v1_client())
        assert protocol == KERNEL_PROTOCOL
        assert b"update_states" in states  # a real page's request is still answered
        assert closed == 1003  # the malformed frame closed that socket, nothing else
        assert _answers_within(base, 1.0) < 1.0


def test_binary_framing_is_checked_before_it_is_read() -> None:
    header = json.dumps({"msg_type": "status"}).encode()
    parts = [b"iopub", header, b"{}", b"{}", b"{}"]
    start = 8 * (len(parts) + 2)
    offsets = []
    for part in parts:
        offsets.append(start)
        start += len(part)
    offsets.append(start)
    good = len(offsets).to_bytes(8, "little")
    good += b"".join(o.to_bytes(8, "little") for o in offsets) + b"".join(parts)
    assert v1_offsets(good) == offsets
    assert v1_header(good) == {"msg_type": "status"}
    legacy = (4).to_bytes(4, "big") * 6 + header  # the older format: big-endian 4-byte offsets
    assert v1_offsets(legacy) is None
    assert v1_header(legacy) is None
    assert v1_offsets((2**62).to_bytes(8, "little")) is None
    backwards = good[:16] + (10**9).to_bytes(8, "little") + good[24:]
    assert v1_offsets(backwards) is None
