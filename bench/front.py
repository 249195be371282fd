"""nginx with TLS in front of the benchmark's web hosts, on a port of the benchmark's own.

The configuration is the repository's `deploy/nginx.conf` when there is one (`make stack`'s), its
upstream addresses, port and paths filled in; else a minimal one written here with what the
benchmarks need of a front (TLS, the streams unbuffered, a retry of idempotent requests on the
other host). Without nginx on the machine there is no front.
"""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
STREAMS = 12000  # open streams the front must hold, each two connections

MINIMAL = """
worker_processes 2;
worker_rlimit_nofile {nofile};
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections {connections}; }}
http {{
  access_log off;
  client_body_temp_path {run}/body;
  proxy_temp_path {run}/proxy;
  fastcgi_temp_path {run}/fastcgi;
  uwsgi_temp_path {run}/uwsgi;
  scgi_temp_path {run}/scgi;
  upstream web {{
{servers}
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {run}/cert.pem;
    ssl_certificate_key {run}/key.pem;
    location /orders/events {{
      proxy_pass http://web;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }}
    location / {{
      proxy_pass http://web;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout http_502;
      proxy_connect_timeout 2s;
    }}
  }}
}}
"""


@dataclass
class Front:
    url: str
    process: subprocess.Popen
    run: Path

    def pids(self) -> dict[str, int]:
        """nginx's master and workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        found = {"nginx": self.process.pid}
        if children.exists():
            found.update({f"nginx/{pid}": int(pid) for pid in children.read_text().split()})
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


def start_front(host_urls: list[str], port: int, logs: Path) -> Front | None:
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None
    )
    if nginx is None:
        return None
    run = logs / "nginx"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    certificate(run)
    servers = "\n".join(
        f"    server {url.removeprefix('http://')} max_fails=1 fail_timeout=2s;"
        for url in host_urls
    )
    conf = run / "nginx.conf"
    conf.write_text(
        MINIMAL.format(
            run=run,
            port=port,
            servers=servers,
            connections=STREAMS * 2 // 2 + 2048,  # per worker, two workers
            nofile=STREAMS * 2 + 4096,
        )
    )
    command = [nginx, "-p", str(run), "-c", str(conf), "-g", "daemon off;"]
    with (run / "nginx.out").open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    front = Front(f"https://127.0.0.1:{port}", process, run)
    wait_until(lambda: listening(port) or process.poll() is not None, 30)
    if process.poll() is not None:
        raise RuntimeError(f"nginx exited: {(run / 'nginx.out').read_text()}")
    return front


def certificate(run: Path) -> None:
    """A self-signed certificate for 127.0.0.1 and localhost."""
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30"),
            *("-keyout", str(run / "key.pem"), "-out", str(run / "cert.pem")),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
        ],
        check=True,
        capture_output=True,
    )


def listening(port: int) -> bool:
    text = Path("/proc/net/tcp").read_text()
    return bool(re.search(rf"0100007F:{port:04X} 00000000:0000 0A", text))
