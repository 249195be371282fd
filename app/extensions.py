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
    """Short timeouts, and at most `retries` immediate retries (one mends a pooled connection
    that went stale while Redis was away) instead of redis-py's default of three with growing
    pauses, which made every call in an outage take seconds."""
    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "health_check_interval": 30,
        "retry": Retry(NoBackoff(), retries),
    }


class RedisClient:
    """One Redis connection pool per app, with short timeouts so an outage never hangs a page."""

    def init_app(self, app: Flask) -> None:
        options = redis_options(app.config["REDIS_SOCKET_TIMEOUT"])
        app.extensions["redis"] = redis.Redis.from_url(app.config["REDIS_URL"], **options)


redis_client = RedisClient()


def get_redis() -> redis.Redis:
    return current_app.extensions["redis"]
