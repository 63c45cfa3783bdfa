"""Typed domain errors, raised by services and mapped to HTTP in one place (http_errors.py)."""


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.headers = headers


class BadRequest(DomainError):
    status_code = 400


class Unauthorized(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Invalid(DomainError):
    """Well-formed input that breaks a rule (an unknown service id, a foreign episode id)."""

    status_code = 422


class TooManyRequests(DomainError):
    status_code = 429

    def __init__(self, detail: str, retry_after_seconds: int):
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after_seconds))})


class UpstreamUnavailable(DomainError):
    """The catalog source (TMDB) failed after retries."""

    status_code = 502


class ServiceUnavailable(DomainError):
    """The database (or another dependency) cannot answer now; the client should retry."""

    status_code = 503

    def __init__(self, detail: str, retry_after_seconds: int):
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after_seconds))})
