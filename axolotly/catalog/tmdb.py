"""TMDB's HTTP API as a catalog source (sources.py): an async client for requests and a blocking
one for jobs, each made once per process (`process_clients`) and closed at its shutdown.

Requests await TMDB (a search waits seconds when TMDB is slow): an awaited call holds neither one
of FastAPI's 40 threads nor a database connection; routes call it before or between their short
transactions, never inside one. Jobs run in worker threads, where blocking is fine.

One TMDB request is one GET and its retries: 429, 5xx and transport errors are retried with
exponential backoff (honouring Retry-After) while retries are left and the wait ends before
TMDB_DEADLINE_SECONDS; then UpstreamUnavailable, which the API answers with 502.
"""

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from axolotly.catalog.offline import OfflineCatalog
from axolotly.catalog.sources import (
    AsyncCatalogSource,
    AwaitableSource,
    CatalogEpisode,
    CatalogSource,
    CatalogTitle,
)
from axolotly.catalog.tmdb_mapping import (
    SEARCH_PATH,
    episodes_of_season,
    search_params,
    season_numbers,
    title_from,
    title_request,
    titles_found,
)
from axolotly.config import Settings
from axolotly.enums import MediaType
from axolotly.errors import UpstreamUnavailable
from axolotly.i18n import N_

RETRYABLE_STATUS = {429, 500, 502, 503, 504}
MAX_BACKOFF_SECONDS = 8.0


def _client_options(settings: Settings) -> dict[str, Any]:
    headers = {"Accept": "application/json"}
    params = {}
    if settings.tmdb_bearer_token:
        headers["Authorization"] = f"Bearer {settings.tmdb_bearer_token}"
    elif settings.tmdb_api_key:
        params["api_key"] = settings.tmdb_api_key
    return {
        "base_url": settings.tmdb_base_url,
        "headers": headers,
        "params": params,
        "timeout": settings.tmdb_timeout_seconds,
    }


class _Attempts:
    """The tries of one TMDB request, all within its deadline."""

    def __init__(self, settings: Settings, clock: Callable[[], float]):
        self._clock = clock
        self._deadline = settings.tmdb_deadline_seconds
        self._ends_at = clock() + settings.tmdb_deadline_seconds
        self._per_try = settings.tmdb_timeout_seconds
        self._retries_left = settings.tmdb_max_retries
        self._tried = 0

    def timeout(self) -> float:
        """How long the next try may take: TMDB_TIMEOUT_SECONDS, cut to what is left of the deadline."""
        left = self._ends_at - self._clock()
        if left <= 0:
            raise self.late()
        self._tried += 1
        return min(self._per_try, left)

    def wait_before_retry(self, failure: str, retry_after: str | None = None) -> float:
        """The backoff before the next try; raises instead when no retry is left, or when the wait
        would end at or past the deadline (a try that cannot finish in time is not worth making)."""
        if self._retries_left == 0:
            raise UpstreamUnavailable(failure)
        wait = _backoff(self._tried - 1, retry_after)
        if self._clock() + wait >= self._ends_at:
            raise UpstreamUnavailable(f"{failure} (not retried: TMDB must answer within {self._deadline:g} s)")
        self._retries_left -= 1
        return wait

    def late(self) -> UpstreamUnavailable:
        return UpstreamUnavailable(N_("TMDB did not answer within %(seconds)s s"), seconds=f"{self._deadline:g}")


def _backoff(attempt: int, retry_after: str | None) -> float:
    if retry_after and retry_after.isdigit():
        return min(float(retry_after), MAX_BACKOFF_SECONDS)
    return min(0.5 * 2**attempt, MAX_BACKOFF_SECONDS)


def _unreachable(error: httpx.TransportError) -> str:
    return f"TMDB is unreachable: {error.__class__.__name__}"


def _refused(response: httpx.Response, path: str) -> str:
    return f"TMDB answered {response.status_code} for {path}"


def _body(response: httpx.Response, path: str, allow_404: bool) -> dict | None:
    if response.status_code == 404 and allow_404:
        return None
    if response.status_code != 200:
        raise UpstreamUnavailable(_refused(response, path))
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise UpstreamUnavailable(N_("TMDB answered %(path)s with something other than a JSON object"), path=path)
    return body


class AsyncTmdbClient:
    """What requests ask TMDB: a search, a title to import (AsyncCatalogSource)."""

    def __init__(
        self,
        settings: Settings,
        *,
        http: httpx.AsyncClient | None = None,
        region: str = "US",
        sleep=asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.settings = settings
        self._http = http or httpx.AsyncClient(**_client_options(settings))
        self._region, self._sleep, self._clock = region, sleep, clock

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    async def aclose(self) -> None:
        await self._http.aclose()

    async def search(self, query: str, media_type: MediaType | None = None) -> list[CatalogTitle]:
        found = await self._get(SEARCH_PATH, search_params(query))
        return titles_found(found or {}, media_type, self._region)

    async def get_title(self, media_type: MediaType, tmdb_id: int) -> CatalogTitle | None:
        path, params = title_request(media_type, tmdb_id)
        body = await self._get(path, params, allow_404=True)
        return None if body is None else title_from(body, media_type, self._region, detailed=True)

    async def _get(self, path: str, params: dict | None = None, allow_404: bool = False) -> dict | None:
        attempts = _Attempts(self.settings, self._clock)
        try:
            # The tries' timeouts bound each network step; this bounds them all, however TMDB trickles.
            async with asyncio.timeout(self.settings.tmdb_deadline_seconds):
                while True:
                    try:
                        response = await self._http.get(path, params=params, timeout=attempts.timeout())
                    except httpx.TransportError as error:
                        await self._sleep(attempts.wait_before_retry(_unreachable(error)))
                        continue
                    if response.status_code not in RETRYABLE_STATUS:
                        return _body(response, path, allow_404)
                    await self._sleep(
                        attempts.wait_before_retry(_refused(response, path), response.headers.get("Retry-After"))
                    )
        except TimeoutError as error:
            raise attempts.late() from error


class TmdbClient:
    """What jobs ask TMDB, blocking their worker thread (CatalogSource): titles and a show's episodes."""

    def __init__(
        self,
        settings: Settings,
        *,
        http: httpx.Client | None = None,
        region: str = "US",
        sleep=time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.settings = settings
        self._http = http or httpx.Client(**_client_options(settings))
        self._region, self._sleep, self._clock = region, sleep, clock

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    def close(self) -> None:
        self._http.close()

    def search(self, query: str, media_type: MediaType | None = None) -> list[CatalogTitle]:
        return titles_found(self._get(SEARCH_PATH, search_params(query)) or {}, media_type, self._region)

    def get_title(self, media_type: MediaType, tmdb_id: int) -> CatalogTitle | None:
        path, params = title_request(media_type, tmdb_id)
        body = self._get(path, params, allow_404=True)
        return None if body is None else title_from(body, media_type, self._region, detailed=True)

    def get_episodes(self, tmdb_id: int) -> list[CatalogEpisode]:
        """Every real season's episodes; each season is a request of its own (its own deadline)."""
        show = self._get(f"/tv/{tmdb_id}", allow_404=True)
        if show is None:
            return []
        return [
            episode
            for number in season_numbers(show)
            for episode in episodes_of_season(self._get(f"/tv/{tmdb_id}/season/{number}", allow_404=True) or {}, number)
        ]

    def _get(self, path: str, params: dict | None = None, allow_404: bool = False) -> dict | None:
        attempts = _Attempts(self.settings, self._clock)
        while True:
            try:
                response = self._http.get(path, params=params, timeout=attempts.timeout())
            except httpx.TransportError as error:
                self._sleep(attempts.wait_before_retry(_unreachable(error)))
                continue
            if response.status_code not in RETRYABLE_STATUS:
                return _body(response, path, allow_404)
            self._sleep(attempts.wait_before_retry(_refused(response, path), response.headers.get("Retry-After")))


class ProcessClients:
    """The process's TMDB clients, each made on first use and closed at shutdown (the app's
    lifespan, the worker's end): one pool of kept-alive connections to TMDB per process, instead of
    a client (and its sockets, never closed) per request.

    A client is made anew when the settings change (tests switch TMDB_* between cases), and the
    async one also when the event loop does: its connections belong to the loop that opened them
    (a server process runs one loop; in-process tests start one per case)."""

    def __init__(self):
        self._lock = threading.Lock()  # jobs ask from several worker threads at once
        self._blocking: TmdbClient | None = None
        self._awaited: AsyncTmdbClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def blocking(self, settings: Settings) -> TmdbClient:
        with self._lock:
            if self._blocking is None or self._blocking.settings is not settings:
                previous, self._blocking = self._blocking, TmdbClient(settings)
                if previous is not None:
                    previous.close()
            return self._blocking

    async def awaited(self, settings: Settings) -> AsyncTmdbClient:
        loop = asyncio.get_running_loop()
        if self._awaited is None or self._awaited.settings is not settings or self._loop is not loop:
            previous, previous_loop = self._awaited, self._loop
            self._awaited, self._loop = AsyncTmdbClient(settings), loop
            if previous is not None and previous_loop is loop:
                await previous.aclose()
        return self._awaited

    def close(self) -> None:
        with self._lock:
            if self._blocking is not None:
                self._blocking.close()
                self._blocking = None

    async def aclose(self) -> None:
        self.close()
        if self._awaited is not None and self._loop is asyncio.get_running_loop():
            await self._awaited.aclose()
        self._awaited = self._loop = None


process_clients = ProcessClients()


def catalog_source(settings: Settings) -> CatalogSource:
    """For jobs: the process's TMDB client when a key is configured, else the shipped offline catalog."""
    return process_clients.blocking(settings) if settings.tmdb_enabled else OfflineCatalog()


async def request_catalog_source(settings: Settings) -> AsyncCatalogSource:
    """For requests: the same choice, awaited."""
    return await process_clients.awaited(settings) if settings.tmdb_enabled else AwaitableSource(OfflineCatalog())
