"""The ASGI application: routers, error mapping, /healthz."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from axolotly.config import get_settings
from axolotly.db.engine import get_engine
from axolotly.errors import DomainError


def create_app() -> FastAPI:
    get_settings()  # fail fast on bad configuration (e.g. a placeholder secret in production)
    app = FastAPI(
        title="Axolotly",
        version="0.1.0",
        description="Parental controls for kids' streaming: parent API, launcher API, admin API.",
    )

    @app.exception_handler(DomainError)
    def _domain_error(request: Request, error: DomainError) -> JSONResponse:
        return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=error.headers)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> JSONResponse:
        """Liveness and database connectivity (503 when the database does not answer)."""
        try:
            with get_engine().connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return JSONResponse({"status": "degraded", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return app
