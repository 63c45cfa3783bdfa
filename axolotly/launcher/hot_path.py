"""The launcher's hottest calls answered in front of the framework (issue 26).

Every launcher polls `GET /api/apps` (mostly a 304) and beats `POST /api/device/heartbeat`; a
fleet pays the framework's per-request work (routing, dependency resolution, the middleware
stack) on each. This plain ASGI layer answers those two from launcher/answers.py, the code the
framework's routes run too, and hands every other request, and any of these two that does not end
in a 2xx/304 (a bad key, a database outage: their errors are mapped in one place, http_errors.py),
on to the app, which answers it with the same code. It sits inside the security headers and the
load shedding (main.py) and records the same request metrics as the framework's routes.

Tests swap the app's dependencies (`app.dependency_overrides`, e.g. a rolled-back session's
launcher reads): this layer honours them, so tests exercise this very path.
"""

import time
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from axolotly.launcher.answers import Answer, ClientGone, apps_answer, heartbeat_answer, held_capacity
from axolotly.launcher.live import Changes
from axolotly.launcher.reads import LauncherReads, get_launcher_reads
from axolotly.ops.metrics import REQUEST_SECONDS

APPS = ("GET", "/api/apps")
HEARTBEAT = ("POST", "/api/device/heartbeat")
WANTED = (b"x-device-id", b"x-api-key", b"if-none-match", b"accept-encoding", b"prefer")


class LauncherHotPath:
    def __init__(self, app: ASGIApp, fastapi_app: FastAPI):
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            route = (scope["method"], scope["path"])
            if route in (APPS, HEARTBEAT):
                started = time.perf_counter()
                try:
                    answer = await self._answer(route, scope, receive)
                except ClientGone:
                    return
                if answer is not None:
                    await _send(send, answer)
                    REQUEST_SECONDS.labels(route[0], route[1], str(answer.status)).observe(
                        time.perf_counter() - started
                    )
                    return
        await self.app(scope, receive, send)

    async def _answer(self, route: tuple[str, str], scope: Scope, receive: Receive) -> Answer | None:
        headers = _headers(scope)
        try:
            if route == APPS:
                return await apps_answer(
                    self._reads(),
                    self._changes(),
                    held_capacity(scope),
                    device_id=headers.get(b"x-device-id"),
                    api_key=headers.get(b"x-api-key"),
                    if_none_match=headers.get(b"if-none-match"),
                    accept_encoding=headers.get(b"accept-encoding"),
                    prefer=headers.get(b"prefer"),
                    receive=receive,
                )
            return await heartbeat_answer(
                self._reads(), device_id=headers.get(b"x-device-id"), api_key=headers.get(b"x-api-key")
            )
        except ClientGone:
            raise
        except Exception:  # noqa: BLE001 - the framework answers it again, errors mapped in one place
            return None

    def _reads(self) -> LauncherReads:
        override = self.fastapi_app.dependency_overrides.get(get_launcher_reads)
        reads: LauncherReads = override() if override is not None else self.fastapi_app.state.launcher_reads
        return reads

    def _changes(self) -> Changes | None:
        return getattr(self.fastapi_app.state, "changes", None)


def _headers(scope: Scope) -> dict[bytes, Any]:
    """The request headers these calls read, decoded as Starlette does (latin-1); a repeated
    header's values joined with commas (RFC 9110)."""
    found: dict[bytes, Any] = {}
    for name, value in scope["headers"]:
        if name in WANTED:
            text = value.decode("latin-1")
            found[name] = f"{found[name]}, {text}" if name in found else text
    return found


async def _send(send: Send, answer: Answer) -> None:
    raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers.items()]
    if answer.media_type:
        raw.append((b"content-type", answer.media_type.encode()))
    if answer.status != 304:  # as Starlette: a 304 names no length
        raw.append((b"content-length", str(len(answer.body)).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": raw})
    await send({"type": "http.response.body", "body": answer.body})
