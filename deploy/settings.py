"""Where the stack runs: every port and directory from the environment, with the defaults of
`make stack`. Another copy of the stack (the tests, the benchmarks) sets its own."""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SANDBOX_CATALOG_TOKEN = "sandbox-catalog-token"  # the stack's provider is the local sandbox
SANDBOX_ORDER_TOKEN = "sandbox-order-token"
# Client connections to PgBouncer each process may open beyond its DATABASE_POOL_SIZE (10):
# with two hosts of two web processes, two workers and the scheduler, well under PgBouncer's
# max_client_conn (deploy/files.py).
STACK_POOL_OVERFLOW = 80


def ports(text: str) -> tuple[int, ...]:
    return tuple(int(port) for port in text.replace(",", " ").split())


@dataclass(frozen=True)
class StackSettings:
    run_dir: Path = ROOT / ".stack"
    https_port: int = 8443
    web_ports: tuple[int, ...] = (8010, 8011)
    pgbouncer_port: int = 6433
    sandbox_port: int = 8002
    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    database: str = "clicktomice_stack"
    redis_url: str = "redis://127.0.0.1:6379/2"
    web_concurrency: int = 2
    nginx_connections: int = 4096
    statement_timeout_seconds: float = 2.0
    app_env: dict = field(default_factory=dict)  # more settings for every app process

    @classmethod
    def from_env(cls, env=os.environ) -> "StackSettings":
        """STACK_DIR, STACK_HTTPS_PORT, STACK_WEB_PORTS ("8010 8011": one host each),
        STACK_PGBOUNCER_PORT, STACK_SANDBOX_PORT, STACK_POSTGRES (host:port), STACK_DATABASE,
        STACK_REDIS_URL, STACK_WEB_CONCURRENCY (processes per host), STACK_NGINX_CONNECTIONS."""
        base = cls()
        postgres = env.get("STACK_POSTGRES", f"{base.postgres_host}:{base.postgres_port}")
        host, _, port = postgres.rpartition(":")
        return cls(
            run_dir=Path(env.get("STACK_DIR", base.run_dir)).resolve(),
            https_port=int(env.get("STACK_HTTPS_PORT", base.https_port)),
            web_ports=ports(env.get("STACK_WEB_PORTS", " ".join(map(str, base.web_ports)))),
            pgbouncer_port=int(env.get("STACK_PGBOUNCER_PORT", base.pgbouncer_port)),
            sandbox_port=int(env.get("STACK_SANDBOX_PORT", base.sandbox_port)),
            postgres_host=host,
            postgres_port=int(port),
            database=env.get("STACK_DATABASE", base.database),
            redis_url=env.get("STACK_REDIS_URL", base.redis_url),
            web_concurrency=int(env.get("STACK_WEB_CONCURRENCY", base.web_concurrency)),
            nginx_connections=int(env.get("STACK_NGINX_CONNECTIONS", base.nginx_connections)),
            statement_timeout_seconds=float(
                env.get("DATABASE_STATEMENT_TIMEOUT_SECONDS", base.statement_timeout_seconds)
            ),
        )

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def certificate(self) -> Path:
        """The stack's self-signed certificate, which clients may trust."""
        return self.path("tls", "cert.pem")

    @property
    def hosts(self) -> list[str]:
        """The web hosts' names: web-1, web-2, ..."""
        return [f"web-{number}" for number in range(1, len(self.web_ports) + 1)]

    def host_url(self, host: str) -> str:
        return f"http://127.0.0.1:{self.web_ports[self.hosts.index(host)]}"

    def path(self, *parts: str) -> Path:
        return self.run_dir.joinpath(*parts)

    def pooled_database_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.pgbouncer_port}/{self.database}"

    def direct_database_url(self) -> str:
        return f"postgresql://postgres@{self.postgres_host}:{self.postgres_port}/{self.database}"

    def secret_key(self) -> str:
        """Generated once per run directory and kept there, readable by its owner only."""
        path = self.path("secret_key")
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text().strip()

    def app_environment(self) -> dict:
        """Production settings, as a real deployment sets them, except that the provider is
        the local sandbox; the database is reached through PgBouncer."""
        sandbox = f"http://127.0.0.1:{self.sandbox_port}"
        return {
            "APP_ENV": "production",
            "SECRET_KEY": self.secret_key(),
            "DATABASE_URL": self.pooled_database_url(),
            "DATABASE_STARTUP_OPTIONS": "0",  # PgBouncer sets the statement timeout
            # A connection to PgBouncer costs almost nothing and holds a server connection only
            # while a statement runs (a page that only reads sends no BEGIN): a process slowed
            # by a busy machine queues its statements there, instead of answering "busy" once
            # its own 20 are held through rendering (the first 30-minute soak saw such 503s).
            "DATABASE_POOL_OVERFLOW": str(STACK_POOL_OVERFLOW),
            "DATABASE_STATEMENT_TIMEOUT_SECONDS": str(self.statement_timeout_seconds),
            "REDIS_URL": self.redis_url,
            "LIVE_CHANNEL_PREFIX": f"stack-{self.https_port}:",
            "PROXY_COUNT": "1",
            "WEB_CONCURRENCY": str(self.web_concurrency),
            "CATALOG_SERVICES_BASE_URL": sandbox,
            "CATALOG_SERVICES_API_TOKEN": SANDBOX_CATALOG_TOKEN,
            "ORDER_SERVICE_BASE_URL": sandbox,
            "ORDER_SERVICE_API_TOKEN": SANDBOX_ORDER_TOKEN,
            **self.app_env,
        }
