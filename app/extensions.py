"""Flask extensions, created unbound and initialised in `create_app`."""

import redis
from flask import Flask, current_app
from flask_caching import Cache
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
cache = Cache()
csrf = CSRFProtect()


def redis_options(timeout: float, retries: int = 1) -> dict:
    """Short timeouts, and immediate retries (one mends a connection gone stale in an outage)."""
    options = dict(socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30)
    return {**options, "retry": Retry(NoBackoff(), retries)}


def init_redis(app: Flask) -> None:
    """One Redis connection pool per app, with short timeouts so an outage never hangs a page.
    It holds REDIS_MAX_CONNECTIONS; past that a call waits for a free one, as long as a call
    may take, rather than failing at once (redis-py's default pool refuses its 101st: a thousand
    streams opening together on one web process took them all)."""
    timeout = app.config["REDIS_SOCKET_TIMEOUT"]
    pool = redis.BlockingConnectionPool.from_url(
        app.config["REDIS_URL"],
        max_connections=app.config["REDIS_MAX_CONNECTIONS"],
        timeout=timeout,
        **redis_options(timeout),
    )
    app.extensions["redis"] = redis.Redis(connection_pool=pool)


def own_redis_connection(app: Flask) -> redis.Redis:
    """A Redis client of its own (one connection), for a subscription that holds its
    connection for as long as it lives, outside the pool the requests share."""
    options = redis_options(app.config["REDIS_SOCKET_TIMEOUT"])
    return redis.Redis.from_url(app.config["REDIS_URL"], max_connections=1, **options)


def get_redis() -> redis.Redis:
    return current_app.extensions["redis"]
