"""Settings read from the environment (and `.env` in development)."""

import os
import re

from dotenv import load_dotenv
from limits import parse_many

from app.key_strength import MIN_SECRET_KEY_BITS, estimated_bits

SANDBOX_URL = "http://127.0.0.1:8001"
DEV_CATALOG_TOKEN = "sandbox-catalog-token"
DEV_ORDER_TOKEN = "sandbox-order-token"
ENVIRONMENTS = ("production", "development", "test")
DEV_SECRET_KEY = "dev-only-not-secret"
KNOWN_SECRET_KEYS = (DEV_SECRET_KEY, "change-me")  # published: here and in `.env.example`
MIN_SECRET_KEY_BYTES = 32
TEST_DATABASE_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/clicktomice_test"


def database_url(url: str) -> str:
    """Map a bare postgres URL to the psycopg2 driver that we install."""
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg2://", url)


LANGUAGE_CODES = ("ru", "en")  # the languages the app has translations for (app/i18n.py)
# Read as text under their own names (and numbers, and DATABASE_URL: `Config.from_env`).
TEXT_FROM_ENV = (
    *("APP_ENV", "SECRET_KEY", "REDIS_URL", "LIVE_CHANNEL_PREFIX", "DEFAULT_LOCALE"),
    *("CATALOG_SERVICES_BASE_URL", "CATALOG_SERVICES_API_TOKEN", "ORDER_SERVICE_BASE_URL"),
    *("ORDER_SERVICE_API_TOKEN", "LOGIN_LIMIT_PER_ACCOUNT", "LOGIN_LIMIT_PER_ADDRESS"),
    "API_RATE_LIMIT",
    *("METRICS_TOKEN", "METRICS_ADDRESS", "PROMETHEUS_MULTIPROC_DIR", "LOG_FORMAT", "LOG_LEVEL"),
)
# What production must set, and development and test take when it is not set.
DEVELOPMENT_DEFAULTS = {
    "SECRET_KEY": DEV_SECRET_KEY,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg2://postgres@127.0.0.1:5432/clicktomice",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CATALOG_SERVICES_API_TOKEN": DEV_CATALOG_TOKEN,
    "ORDER_SERVICE_API_TOKEN": DEV_ORDER_TOKEN,
}
ENV_NAMES = {"SQLALCHEMY_DATABASE_URI": "DATABASE_URL"}  # where they differ from the settings'


class Config:
    """Defaults; production must set its secrets and services (`check_settings`)."""

    APP_ENV = "production"
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None
    # Bounded waits on Postgres (app/database.py): a stalled database's 503 comes within 5 s.
    DATABASE_STATEMENT_TIMEOUT_SECONDS = 2.0  # 0: never cancelled
    # 1: the timeout goes in each connection's start-up options; 0: the server side sets it (a
    # pooler in transaction mode refuses start-up options: deploy/pgbouncer.ini sets it instead)
    DATABASE_STARTUP_OPTIONS = 1
    DATABASE_CONNECT_TIMEOUT_SECONDS = 1.5
    DATABASE_POOL_TIMEOUT_SECONDS = 1.5
    DATABASE_POOL_SIZE = 10  # connections each process keeps
    DATABASE_POOL_OVERFLOW = 10  # and may open on top at busy times
    DATABASE_PING_AFTER_IDLE_SECONDS = 1.0  # a connection idle longer is checked before use
    PASSWORD_HASH_THREADS = 1  # hashes at once per process, off the event loop (app/passwords.py)
    PASSWORD_HASH_QUEUE = 64  # more wait their turn; one more is told "busy"
    REDIS_URL = None
    REDIS_SOCKET_TIMEOUT = 0.5  # the web's and the jobs' Redis calls
    REDIS_MAX_CONNECTIONS = 500  # per process; past it a call waits up to REDIS_SOCKET_TIMEOUT
    REDIS_PROCESS_SOCKET_TIMEOUT = 10.0  # the worker's and the scheduler's own connection
    OUTAGE_BACKOFF_CAP_SECONDS = 5.0  # a process's longest wait between reconnection attempts
    CATALOG_SERVICES_BASE_URL = SANDBOX_URL
    CATALOG_SERVICES_API_TOKEN = None
    ORDER_SERVICE_BASE_URL = SANDBOX_URL
    ORDER_SERVICE_API_TOKEN = None
    HTTP_CONNECT_TIMEOUT = 3.0
    HTTP_READ_TIMEOUT = 5.0
    CATALOG_CACHE_SECONDS = 600
    CATALOG_STALE_SECONDS = 24 * 3600
    CATALOG_RETRY_SECONDS = 30  # after a failed refresh, or per process with Redis down
    CATALOG_LOCK_SECONDS = 60  # the refresh lock's lifetime
    CATALOG_MAX_PAGES = 50
    ORDERS_REFRESH_SECONDS = 30
    ORDERS_PER_PAGE = 20
    ORDERS_TABLE_CACHE_SIZE = 256  # rendered tables kept per process (0: render every time)
    ORDERS_PAGE_CACHE_SIZE = 256  # whole dashboard pages kept per process (0: draw every time)
    LIVE_MAX_STREAMS = 1500  # per web process
    LIVE_STREAMS_PER_USER = 10  # one more tab polls instead
    LIVE_SLOT_LEASE_SECONDS = 60  # a dead process's slots come free after this
    LIVE_CHANNEL_PREFIX = ""
    LIVE_STREAM_SECONDS = 300
    LIVE_STREAM_JITTER = 0.2  # a stream lives 80-100 % of LIVE_STREAM_SECONDS, at random
    LIVE_LOGIN_CHECK_SECONDS = 1.0  # how often a web process checks its streams' logins still live
    LIVE_LOGIN_CHECK_CHUNK = 1000  # logins per query of that check
    SYNC_INTERVAL_SECONDS = 60
    SYNC_CONCURRENCY = 16
    SYNC_BATCH_SIZE = 200
    SYNC_FANOUT_THRESHOLD = 2000
    SYNC_FANOUT_JOB_SIZE = 1000
    SYNC_LOCK_TTL_SECONDS = 30  # kept alive while the run lives; a killed run frees it in this
    SYNC_BACKOFF_BASE_SECONDS = 30
    SYNC_BACKOFF_CAP_SECONDS = 1800
    SYNC_PROVIDER_DOWN_AFTER = 5
    SYNC_PROVIDER_DOWN_PAUSE_SECONDS = 30
    SYNC_RATE_LIMIT_PAUSE_SECONDS = 30  # after a 429 that does not say how long to wait
    SYNC_BATCH_JOB_TIMEOUT = 900
    SEND_MAX_ATTEMPTS = 6  # tries while the provider surely has not got the order, then draft
    SEND_BACKOFF_SECONDS = 5.0
    SEND_MAX_BACKOFF_SECONDS = 600  # retries of an unknown outcome go on this far apart, for ever
    SEND_ATTENTION_AFTER_SECONDS = 1800  # an outcome unknown this long is flagged for a person
    SEND_CLAIM_SECONDS = 30  # a send job's lease on its order, longer than one registration call
    SEND_STUCK_AFTER_SECONDS = 15  # a send with no job (lost enqueue, dead worker) after its lease
    SEND_SWEEP_SECONDS = 20  # how often the scheduler looks for such sends
    RQ_QUEUE = "default"
    RQ_SEND_QUEUE = "sends"
    RQ_WEBHOOK_QUEUE = "webhooks"
    # Webhooks (app/webhooks/): the waits after each failed attempt (the first goes at once),
    # each stretched or shortened at random by up to WEBHOOK_RETRY_JITTER; about a day in all.
    WEBHOOK_RETRY_SECONDS = (5, 300, 1800, 7200, 18000, 36000, 36000)
    WEBHOOK_RETRY_JITTER = 0.1
    WEBHOOK_TIMEOUT_SECONDS = 10.0  # to connect, and between bytes of the answer
    WEBHOOK_THREADS = 8  # attempts side by side in one job (each may hold a database connection)
    WEBHOOK_ALLOW_LOCAL = (
        0  # 1: http and local addresses too (development, tests; never production)
    )
    WEBHOOK_DISABLE_AFTER_SECONDS = 5 * 24 * 3600  # failing this long (no delivery): disabled
    WEBHOOK_SECRET_OVERLAP_SECONDS = 24 * 3600  # the old secret still signs this long
    WEBHOOK_SWEEP_SECONDS = 30  # how often the scheduler looks for events whose job was lost
    WEBHOOK_STUCK_AFTER_SECONDS = 60  # an event due this long without an attempt is queued again
    WEBHOOK_ENDPOINTS_PER_ACCOUNT = 10
    WEBHOOK_LOG_SIZE = 50  # attempts shown per endpoint
    WORKER_HEARTBEAT_SECONDS = 15.0
    WORKER_NICENESS = 10  # the worker's CPU priority below the web's (0: the same; worker.py)
    WEB_CONCURRENCY = 2  # gunicorn's worker processes
    METRICS_TOKEN = None
    METRICS_ADDRESS = None  # host:port where gunicorn's master serves the metrics, no token
    PROMETHEUS_MULTIPROC_DIR = None
    LOG_FORMAT = "plain"  # or "json": one object per line
    LOG_LEVEL = "INFO"
    READY_WORKER_SECONDS = 60
    READY_SYNC_INTERVALS = 3
    OPS_REFRESH_SECONDS = 10
    OPS_ORDERS_PER_PAGE = 50
    OPS_SEND_UNCONFIRMED_SECONDS = 600
    OPS_CHECK_FAILURES_ALERT = 3
    SCHEDULER_POLL_SECONDS = 5

    # Password checks per account and address together, and per address (app/auth/limits.py).
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 5 minutes"
    LOGIN_LIMIT_PER_ADDRESS = "60 per hour"
    LOGIN_UNCOUNTED_RETRY_SECONDS = 10  # Retry-After of a login attempt Redis could not count
    # Requests per API token (app/api/rate_limit.py), and how long an Idempotency-Key is kept.
    API_RATE_LIMIT = "600 per minute"
    API_IDEMPOTENCY_SECONDS = 24 * 3600
    API_LISTINGS_KEPT = 1000  # order listings kept per web process (0: read each time)
    API_CHECK_RESPONSES = 0  # 1: each answer checked against its documented model (the tests)
    API_IDEMPOTENCY_LEASE_SECONDS = 60  # a first request unfinished after this is taken as lost
    PROXY_COUNT = 0  # reverse proxies in front whose X-Forwarded-For/-Proto are trusted
    SESSION_MAX_AGE_SECONDS = 14 * 24 * 3600  # a login ends after this even if never logged out

    DEFAULT_LOCALE = "ru"  # for a visitor who chose none and whose browser asks for none we speak
    BABEL_DEFAULT_LOCALE = "en"  # the language of the source texts
    BABEL_DEFAULT_TIMEZONE = "UTC"
    CACHE_TYPE = "RedisCache"
    CACHE_KEY_PREFIX = "ctm:"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 16 * 1024 * 1024

    @classmethod
    def from_env(cls) -> dict:
        """The settings that the environment overrides; a number is read as its default's type."""
        load_dotenv()
        env = os.environ
        settings = {name: env[name] for name in TEXT_FROM_ENV if name in env}
        if "DATABASE_URL" in env:
            settings["SQLALCHEMY_DATABASE_URI"] = database_url(env["DATABASE_URL"])
        for name in dir(cls):
            kind = type(getattr(cls, name))
            if name.isupper() and kind in (int, float) and name in env:
                try:
                    settings[name] = kind(env[name])
                except ValueError:
                    wanted = "a whole number" if kind is int else "a number"
                    raise ConfigError(f"{name} must be {wanted}, not {env[name]!r}") from None
        return settings


class ConfigError(RuntimeError):
    """The settings are unsafe or incomplete; the message says which, in one line."""


def refusal(error: ConfigError) -> str:
    return f"Click to Mice will not start: {error}"


class ProductionError(ConfigError):
    """The app was asked to run in production with a missing or published secret."""


def check_settings(config) -> None:
    """Refuse unsafe settings; development and test may run on DEVELOPMENT_DEFAULTS."""
    environment = config.get("APP_ENV")
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
    for name in ("LOGIN_LIMIT_PER_ACCOUNT", "LOGIN_LIMIT_PER_ADDRESS", "API_RATE_LIMIT"):
        try:
            parse_many(config[name])
        except ValueError:
            message = f"{name} must read like '5 per 5 minutes', not {config[name]!r}"
            raise ConfigError(message) from None
    if config.get("DEFAULT_LOCALE") not in LANGUAGE_CODES:
        wanted = " or ".join(LANGUAGE_CODES)
        raise ConfigError(f"DEFAULT_LOCALE must be {wanted}, not {config.get('DEFAULT_LOCALE')!r}")
    if environment == "production":
        check_production(config)
    else:
        for name, value in DEVELOPMENT_DEFAULTS.items():
            config[name] = config.get(name) or value
        if config["SECRET_KEY"] == DEV_SECRET_KEY:
            return
    check_secret_key(config["SECRET_KEY"])


def check_secret_key(key: str) -> None:
    """Refuse a published key, a short one, and one too easy to guess (app/key_strength.py)."""
    advice = "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
    if key in KNOWN_SECRET_KEYS:
        raise ProductionError(f"SECRET_KEY is a published example value; {advice}")
    if len(key.encode()) < MIN_SECRET_KEY_BYTES:
        raise ProductionError(f"SECRET_KEY is shorter than {MIN_SECRET_KEY_BYTES} bytes; {advice}")
    bits = estimated_bits(key)
    if bits < MIN_SECRET_KEY_BITS:
        raise ProductionError(
            f"SECRET_KEY is too easy to guess (repeated or too few different characters: "
            f"about {bits:.0f} bits, at least {MIN_SECRET_KEY_BITS} needed); {advice}"
        )


def check_production(config) -> None:
    """Refuse to start in production without each secret and service set."""
    missing = [ENV_NAMES.get(key, key) for key in DEVELOPMENT_DEFAULTS if not config.get(key)]
    if missing:
        raise ProductionError("Production needs these settings: " + ", ".join(missing))
    config["SESSION_COOKIE_SECURE"] = True
    config["REMEMBER_COOKIE_SECURE"] = True


def defaults() -> dict:
    return {name: getattr(Config, name) for name in dir(Config) if name.isupper()}


def environment_settings() -> dict:
    """The settings `create_app()` would read and check, for a process without an app yet."""
    settings = {**defaults(), **Config.from_env()}
    check_settings(settings)
    return settings


class TestConfig(Config):
    TESTING = True
    APP_ENV = "test"
    SECRET_KEY = DEV_SECRET_KEY
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", TEST_DATABASE_URL))
    REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    LIVE_CHANNEL_PREFIX = "test-" + REDIS_URL.rsplit("/", 1)[-1] + ":"  # channels span databases
    SEND_BACKOFF_SECONDS = 0.0
    SEND_STUCK_AFTER_SECONDS = 0
    HTTP_CONNECT_TIMEOUT = 1.0
    HTTP_READ_TIMEOUT = 2.0
    SYNC_LOCK_TTL_SECONDS = 10
    WEBHOOK_ALLOW_LOCAL = 1  # the tests’ receivers are on 127.0.0.1
    API_CHECK_RESPONSES = 1
    WEBHOOK_STUCK_AFTER_SECONDS = 0
    DEFAULT_LOCALE = "en"  # tests that want Russian ask for it

    @classmethod
    def from_env(cls) -> dict:
        return {}
