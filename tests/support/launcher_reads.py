"""The launcher's statements through the test's rolled-back session, in place of the app's async
pool (axolotly/launcher/reads.py `LauncherReads`)."""

from typing import Any

from sqlalchemy.orm import Session


class SessionLauncherReads:
    """The same statements through an ORM session's connection (the test's transaction)."""

    def __init__(self, session: Session):
        self.session = session

    async def fetch_one(self, sql: str, params: dict[str, Any]) -> Any:
        return self.session.connection().exec_driver_sql(sql, params).first()

    async def fetch_one_replica(self, sql: str, params: dict[str, Any]) -> Any:
        return await self.fetch_one(sql, params)
