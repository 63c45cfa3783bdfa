"""The catalog's request dependencies: the source of titles this process asks (awaited), and what
the routes that ask it use instead of the request's transaction.

A route that asks TMDB must not hold a database connection while TMDB takes its time, but
`DbSession` (and CurrentFamily or WebFamily, which use it) keeps its transaction open until the
route returns. So these routes are async: they take the family from a transaction that ends
before the route runs (`FamilyBeforeTmdb`, `PageFamilyBeforeTmdb`), await TMDB on the event loop
(no thread, no connection), then do their database work in a short transaction of their own
(`Transactions`, in the threadpool), committed before they answer.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session

from axolotly.accounts.deps import bearer, current_user, optional_page_user, page_user
from axolotly.catalog.sources import AsyncCatalogSource
from axolotly.catalog.tmdb import request_catalog_source
from axolotly.config import get_settings
from axolotly.db.engine import get_session
from axolotly.db.replicas import get_read_session
from axolotly.families.context import FamilyContext, still_acting_for
from axolotly.families.deps import current_family, web_family

T = TypeVar("T")


async def get_catalog_source() -> AsyncCatalogSource:
    """The process's TMDB client (made on the event loop it belongs to), or the offline catalog."""
    return await request_catalog_source(get_settings())


Source = Annotated[AsyncCatalogSource, Depends(get_catalog_source)]


class ShortTransactions:
    """The request's session dependencies (get_session; get_read_session for a replica when one is
    healthy), as the app resolves them (its dependency overrides included), opened when the route
    says: each `with` block or step is one transaction, committed at its end."""

    def __init__(self, request: Request):
        overrides = request.app.dependency_overrides
        self._primary = contextmanager(overrides.get(get_session, get_session))
        self._read_only = contextmanager(overrides.get(get_read_session, get_read_session))

    def primary(self) -> AbstractContextManager[Session]:
        return self._primary()

    async def run(self, step: Callable[[Session], T], acting_for: FamilyContext | None = None) -> T:
        """`step(db)` on the primary; the audit trail names who acts for `acting_for`."""
        return await run_in_threadpool(self._run, self._primary, step, acting_for)

    async def run_read_only(self, step: Callable[[Session], T]) -> T:
        return await run_in_threadpool(self._run, self._read_only, step, None)

    @staticmethod
    def _run(opened, step: Callable[[Session], T], acting_for: FamilyContext | None) -> T:
        with opened() as db:
            if acting_for is not None:
                still_acting_for(db, acting_for)
            return step(db)


Transactions = Annotated[ShortTransactions, Depends()]


def family_before_tmdb(
    transactions: Transactions, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> FamilyContext:
    """CurrentFamily, from a transaction that ends before the route asks TMDB."""
    with transactions.primary() as db:
        return current_family(current_user(db, credentials), db)


def page_family_before_tmdb(request: Request, transactions: Transactions) -> FamilyContext:
    """WebFamily (log-in redirect included), from a transaction that ends before the page asks TMDB."""
    with transactions.primary() as db:
        return web_family(request, page_user(request, optional_page_user(request, db)), db)


FamilyBeforeTmdb = Annotated[FamilyContext, Depends(family_before_tmdb)]
PageFamilyBeforeTmdb = Annotated[FamilyContext, Depends(page_family_before_tmdb)]
