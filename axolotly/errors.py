"""Typed domain errors, raised by services and mapped to HTTP in one place (http_errors.py).

A detail that names something (a kid, a tag, a version) is given as a template and its values,
`Conflict(N_("%(kid)s has no daily limit today"), kid=name)`: the API's `detail` is the English
sentence filled in (JSON clients may match on it), while a page translates the template first and
fills it in after (web/templating.py `translated`). A value is text as the API shows it (a repr,
a joined list); a word that changes with a value (a status, one or more names) gets a whole
sentence of its own for each case, so that the translator never assembles one.
"""


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: str, headers: dict[str, str] | None = None, **values: object):
        self.template = detail
        self.values = values
        self.detail = self.fill(detail)
        super().__init__(self.detail)
        self.headers = headers

    def fill(self, template: str) -> str:
        """The template with this error's values (a fixed text, without values, as it is)."""
        return template % self.values if self.values else template


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

    def __init__(self, detail: str, retry_after_seconds: int, **values: object):
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after_seconds))}, **values)


class UpstreamUnavailable(DomainError):
    """The catalog source (TMDB) failed after retries."""

    status_code = 502


class ServiceUnavailable(DomainError):
    """The database (or another dependency) cannot answer now; the client should retry."""

    status_code = 503

    def __init__(self, detail: str, retry_after_seconds: int, **values: object):
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after_seconds))}, **values)


class PasswordCheckBusy(ServiceUnavailable):
    """Passwords and PINs are checked one at a time on the machine (security/passwords.py): this
    caller's turn would come too late. 503 with Retry-After; nothing of the request is stored."""
