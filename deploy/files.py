"""The run directory's files: nginx's and PgBouncer's configurations filled in from the
templates in deploy/, the TLS certificate, and the settings every process of the stack reads."""

import os
import re
import shlex
import subprocess
from pathlib import Path

from deploy.settings import ROOT, StackSettings

DEPLOY = ROOT / "deploy"
UNPRIVILEGED_USER = "nobody"  # PgBouncer will not run as root
PGBOUNCER_MAX_CLIENTS = 1000  # client connections PgBouncer accepts (the hosts' pools add up)


def fill(template: str, values: dict) -> str:
    """`{{NAME}}` replaced by its value; a name without one is an error, not an empty string."""

    def value(match: re.Match) -> str:
        return str(values[match.group(1)])

    return re.sub(r"\{\{([A-Z_]+)\}\}", value, template)


def write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def nginx_conf(settings: StackSettings) -> str:
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;"
        for port in settings.web_ports
    )
    return fill(
        (DEPLOY / "nginx.conf").read_text(),
        {
            "RUN_DIR": settings.run_dir,
            "HTTPS_PORT": settings.https_port,
            "STATIC_DIR": ROOT / "app" / "static",
            "DEPLOY_DIR": DEPLOY,
            "UPSTREAM_SERVERS": servers,
            "NGINX_CONNECTIONS": settings.nginx_connections,
            "NGINX_FILES": 2 * settings.nginx_connections + 64,
        },
    )


def pgbouncer_ini(settings: StackSettings) -> str:
    run_as = f"user = {UNPRIVILEGED_USER}" if os.geteuid() == 0 else ""
    return fill(
        (DEPLOY / "pgbouncer.ini").read_text(),
        {
            "RUN_DIR": settings.run_dir,
            "DATABASE": settings.database,
            "POSTGRES_HOST": settings.postgres_host,
            "POSTGRES_PORT": settings.postgres_port,
            "STATEMENT_TIMEOUT_MS": int(settings.statement_timeout_seconds * 1000),
            "PGBOUNCER_PORT": settings.pgbouncer_port,
            "PGBOUNCER_POOL_SIZE": 40,
            "PGBOUNCER_MAX_CLIENTS": PGBOUNCER_MAX_CLIENTS,
            "RUN_AS": run_as,
        },
    )


def make_certificate(tls: Path) -> None:
    """A self-signed certificate for 127.0.0.1 and localhost, made once per run directory."""
    if (tls / "cert.pem").exists() and (tls / "key.pem").exists():
        return
    tls.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "825"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
            *("-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")),
        ],
        check=True,
        capture_output=True,
    )
    (tls / "key.pem").chmod(0o600)


def write_run_files(settings: StackSettings) -> None:
    """Everything the processes read, written again at each start (the secret key is kept)."""
    run = settings.run_dir
    for name in ("pids", "logs", "ready"):
        (run / name).mkdir(parents=True, exist_ok=True)
    run.chmod(0o755)
    write(run / "nginx.conf", nginx_conf(settings))
    write(run / "proxy_headers.conf", (DEPLOY / "proxy_headers.conf").read_text())
    write(run / "pgbouncer.ini", pgbouncer_ini(settings))
    write(run / "pgbouncer-users.txt", '"postgres" ""\n')
    make_certificate(run / "tls")
    environment = settings.app_environment()
    lines = [f"{name}={shlex.quote(value)}" for name, value in sorted(environment.items())]
    write(run / "env", "\n".join(lines) + "\n", mode=0o600)
