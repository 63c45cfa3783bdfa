"""Settings from the environment (and an optional `.env`), validated once at start-up."""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from axolotly.security.installation_key import installation_key

# Values people copy from examples (and the placeholder earlier versions shipped as the default):
# refused in every environment, since anyone can sign with them.
PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "dev-only-insecure-secret-change-me"}
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    # None means: the project's embedded cluster under .axolotly/ (see axolotly.db.cluster).
    database_url: str | None = None
    db_pool_size: int = Field(20, ge=1)
    db_max_overflow: int = Field(10, ge=0)
    db_pool_pre_ping: bool = True
    # Set when DATABASE_URL goes through a transaction-mode pooler (PgBouncer): the worker's
    # LISTEN and the migrations connect here directly, and no connection prepares statements
    # on the server (a pooler hands each transaction to any server connection).
    database_direct_url: str | None = None
    # How long a new connection may take before the request answers 503 (libpq's minimum: 2).
    db_connect_timeout_seconds: int = Field(5, ge=2)

    # bcrypt cost for passwords (PINs use two less); tests lower it for speed.
    bcrypt_rounds: int = Field(12, ge=4, le=16)
    # Hashes and checks take turns, one at a time on the machine (security/passwords.py): a log-in
    # or PIN entry whose turn would come later than this gets 503 with Retry-After instead.
    password_hash_wait_seconds: float = Field(5.0, gt=0, le=60)

    # The installation's home (also where the embedded cluster is recorded: axolotly.db.cluster).
    axolotly_home: str = ".axolotly"

    # Signs every token, CSRF value and reset link. Unset (development, tests): a random key made
    # on first start and kept in <AXOLOTLY_HOME>/secret-key (security/installation_key.py).
    jwt_secret: str = ""
    jwt_ttl_minutes: int = Field(30, ge=1, le=24 * 60)
    # Keys the HMAC that stores device API keys; falls back to JWT_SECRET when unset.
    device_key_secret: str | None = None

    tmdb_api_key: str | None = None
    tmdb_bearer_token: str | None = None
    tmdb_base_url: str = "https://api.themoviedb.org/3"
    tmdb_timeout_seconds: float = Field(10.0, gt=0)
    tmdb_max_retries: int = Field(3, ge=0, le=10)
    # The whole of one TMDB request, its retries and their backoff included: a parent waits at
    # most this long for a search or an import before a 502 (TMDB_TIMEOUT_SECONDS bounds each try).
    tmdb_deadline_seconds: float = Field(8.0, gt=0, le=120)

    # Client addresses of reverse proxies whose X-Forwarded-For we believe (comma separated).
    trusted_proxies: str = ""

    # Pairing-code guessing budget (failed redemptions per hour); see docs/launcher-api.md (pairing security).
    pair_failures_per_address_per_hour: int = Field(10, ge=1)
    pair_failures_global_per_hour: int = Field(100, ge=1)
    # New parent accounts per client address per hour (each account has its own confirm budget).
    sign_ups_per_address_per_hour: int = Field(20, ge=1)

    # An unverified crowd-sourced episode link reaches kids once this many families reported it.
    # At most 10: launcher versions follow family counts up to 10 (migration 0015).
    link_min_families: int = Field(2, ge=1, le=10)

    # The address parents reach us at (e.g. https://axolotly.example), for links we hand out
    # (co-parent invitations); unset: the request's own address.
    public_url: str | None = None

    # Outgoing mail (password resets): smtp://user:pass@host:port, smtp+starttls://…, smtps://…
    # (axolotly/mail.py); unset: each mail is printed to the server log instead.
    mail_url: str | None = None

    # Web pages: cookie lifetime, and `Secure` cookies when served over TLS.
    web_session_hours: int = Field(12, ge=1, le=24 * 30)
    cookie_secure: bool = False

    # Operations (docs/operations.md). Relative paths are under the working directory.
    backup_dir: str = ".axolotly/backups"
    backup_retention_days: int = Field(30, ge=1)
    # Watch history is kept this long (whole months of sessions are dropped; the rollup by day).
    usage_retention_days: int = Field(400, ge=31, le=3660)
    # The activity trail (audit_events) is kept this long; older events are deleted daily.
    audit_retention_days: int = Field(365, ge=30, le=3660)
    backup_cron: str = "0 3 * * *"  # daily backup job (UTC); prune runs half an hour later
    basebackup_dir: str = ".axolotly/basebackups"
    title_resync_days: int = Field(7, ge=1)
    title_resync_batch: int = Field(200, ge=1)
    # A job whose worker sent no heartbeat for this long is retried (worker killed mid-job).
    job_stalled_after_seconds: float = Field(60, gt=0)
    slow_query_ms: float = Field(1000, ge=0)
    # Read replicas (comma-separated URLs); one lagging more than this is skipped.
    database_replica_urls: str = ""
    replica_max_lag_seconds: float = Field(10, ge=0)
    # Database gauges of /metrics and /api/admin/db-health are read at most this often.
    db_stats_cache_seconds: float = Field(5, ge=0)
    # When set, /metrics wants `Authorization: Bearer <token>`. Production wants it, or
    # METRICS_PUBLIC=true to say the endpoint is kept off the internet some other way.
    metrics_token: str | None = None
    metrics_public: bool = False

    # Issue 26. Load shedding, per server worker: requests being answered at once past which a new
    # one gets 503 with Retry-After at once (ops/shedding.py), and launcher long polls held at once
    # (`Prefer: wait`) past which `wait` is ignored (held polls do not count as requests in flight).
    max_requests_in_flight: int = Field(64, ge=1)
    max_held_polls: int = Field(20000, ge=0)
    # Notifications (axolotly/notifications/): kept this long, then deleted daily.
    notification_retention_days: int = Field(90, ge=7, le=3660)

    @model_validator(mode="after")
    def _refuse_insecure_settings(self) -> "Settings":
        for name in ("jwt_secret", "device_key_secret"):
            if getattr(self, name) in PLACEHOLDER_SECRETS:
                raise ValueError(
                    f"{name.upper()} is a published placeholder: anyone could sign with it. {HOW_TO_SECRET}"
                )
        if self.env == "production":
            problems = production_problems(self)
            if problems:
                raise ValueError("ENV=production refuses these settings:\n- " + "\n- ".join(problems))
        elif not self.jwt_secret:
            self.jwt_secret = installation_key(Path(self.axolotly_home))
        return self

    @property
    def tmdb_enabled(self) -> bool:
        return bool(self.tmdb_api_key or self.tmdb_bearer_token)

    @property
    def device_hmac_secret(self) -> bytes:
        return (self.device_key_secret or self.jwt_secret).encode()

    @property
    def behind_pooler(self) -> bool:
        return bool(self.database_direct_url)

    @property
    def replica_urls(self) -> list[str]:
        return [url.strip() for url in self.database_replica_urls.split(",") if url.strip()]

    @property
    def trusted_proxy_set(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.trusted_proxies.split(",") if p.strip())


HOW_TO_SECRET = "Set a random value, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."  # noqa: S105  # advice, not a secret


def mail_goes_to_the_log(mail_url: str | None) -> bool:
    """Unset, blank, `console` or `console://`: the console backend (mail.parse_mail_url reads it the same way)."""
    value = (mail_url or "").strip()
    return urlsplit(value).scheme.lower() in ("", "console")


def production_problems(settings: Settings) -> list[str]:
    """What production refuses, each naming its setting and why (README "Security")."""
    problems = []
    if len(settings.jwt_secret) < MIN_SECRET_LENGTH:
        problems.append(
            f"JWT_SECRET must be set to at least {MIN_SECRET_LENGTH} random characters "
            f"(production never makes one of its own). {HOW_TO_SECRET}"
        )
    if settings.device_key_secret is not None and len(settings.device_key_secret) < MIN_SECRET_LENGTH:
        problems.append(
            f"DEVICE_KEY_SECRET, when set, must hold at least {MIN_SECRET_LENGTH} random characters. {HOW_TO_SECRET}"
        )
    if not settings.cookie_secure:
        problems.append("COOKIE_SECURE must be true: log-in cookies must never travel over plain HTTP")
    if mail_goes_to_the_log(settings.mail_url):
        problems.append(
            "MAIL_URL must name an SMTP server: with the console backend, password-reset links are printed to the "
            "server log"
        )
    if settings.metrics_token and len(settings.metrics_token) < MIN_SECRET_LENGTH:
        problems.append(f"METRICS_TOKEN must hold at least {MIN_SECRET_LENGTH} random characters. {HOW_TO_SECRET}")
    if not settings.metrics_token and not settings.metrics_public:
        problems.append(
            "METRICS_TOKEN must be set (or METRICS_PUBLIC=true when /metrics is kept off the "
            "internet some other way): its figures describe the service, its database and its load"
        )
    return problems


@lru_cache
def get_settings() -> Settings:
    return Settings()
