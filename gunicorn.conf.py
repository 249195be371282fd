"""Settings of the web process, read by gunicorn (`--config gunicorn.conf.py`, see the Procfiles).

The workers are gevent's: an open live-update stream waits on the network almost all the time,
and as a greenlet it costs a few kilobytes, so one process holds a thousand streams beside its
page requests (a thread per stream held eight). gunicorn's gevent worker patches the standard
library; psycopg2 is a C extension, whose waits go through the app's own wait callback, which
polls the socket cooperatively and with a deadline. The figures that chose this: bench/README.md.

Settings: read as the app reads them (app/config.py); unsafe ones stop the start before a port
opens (`on_starting`), which also builds the translations' .mo files.

Metrics: every worker process writes its metrics to PROMETHEUS_MULTIPROC_DIR, and `/metrics`
adds them up. The variable must be set before prometheus_client is first imported, so it is
set here, in the master, before any worker starts: to a fresh private directory unless the
environment names one (share one with `python worker.py` on the same machine to see its
metrics too). With METRICS_ADDRESS (host:port), the master also serves the metrics there, so a
private address can be scraped without a token.

Long addresses: gunicorn reads request lines up to its maximum, 8190 bytes (`limit_request_line`;
its default is 4094, and 0, no limit at all, would let one client's line take any amount of
memory). The app answers an address longer than it serves with its own 414 page
(app/long_addresses.py), and so it does for a longer line too: each worker reads past such a
line, up to 2 MiB, rather than let gunicorn refuse it with a bare English page
(app/long_request_line.py, in gunicorn's Python parser, chosen here).

Control socket (gunicorn's `gunicornc`): one per instance, never shared. gunicorn's default is
one path per user, so a second instance on the same host would take it over, and remove it when
it stops. Each instance's is named after the first address it listens on, which no other running
instance can hold: `gunicorn-0.0.0.0-8000.ctl` in gunicorn's own directory for it
($XDG_RUNTIME_DIR, else ~/.gunicorn/), or `PATH.ctl` beside a `unix:PATH` socket. A
`--control-socket` on the command line is kept as given.

Deploys: SIGTERM ends a worker's live streams at once (their browsers reconnect elsewhere), and
with WEB_READY_DIR set, each worker leaves a file named after its pid there once it has loaded
the app, so a deploy (deploy/stack.py) knows when the new workers serve.
"""

import os
import re
import tempfile

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="clicktomice-metrics-")

from app.config import ConfigError, defaults, environment_settings, refusal  # noqa: E402

try:
    SETTINGS, REFUSED = environment_settings(), None
except ConfigError as error:  # refused in one line as gunicorn starts (on_starting)
    SETTINGS, REFUSED = defaults(), error

worker_class = "gevent"
workers = SETTINGS["WEB_CONCURRENCY"]
worker_connections = 2000
TURN_SECONDS = 0.0001  # after each request (post_request)
timeout = 60
limit_request_line = 8190
http_parser = "python"


def on_starting(server) -> None:
    """Check the settings before opening a port: unsafe ones stop the start with one line
    (gunicorn prints a RuntimeError's message as `Error: ...` and exits with status 1)."""
    if REFUSED is not None:
        raise RuntimeError(refusal(REFUSED))
    from app.i18n import compile_translations

    compile_translations()  # the .mo files are built, not kept in git
    use_own_control_socket(server.cfg)


def use_own_control_socket(cfg) -> None:
    """This instance's own control socket, unless one was chosen on the command line (gunicorn
    starts the control socket after this hook)."""
    default = cfg.settings["control_socket"].default
    if cfg.control_socket == default:
        cfg.set("control_socket", control_socket_path(cfg.bind[0], default))


def control_socket_path(address: str, default: str) -> str:
    """`PATH.ctl` for `unix:PATH`; else `gunicorn-HOST-PORT.ctl` beside gunicorn's default."""
    if address.startswith("unix:"):
        return address.removeprefix("unix:").removeprefix("//") + ".ctl"
    name = re.sub(r"[^0-9A-Za-z.]+", "-", address).strip("-")
    return os.path.join(os.path.dirname(default), f"gunicorn-{name}.ctl")


def post_worker_init(worker) -> None:
    """Keep psycopg2 on the app's bounded wait (app/database.py) once gevent's worker has
    patched the process: that wait polls the socket through `select.poll`, which gevent has
    made cooperative, so a query waits without stopping the process's other requests and
    still gives up on a silent Postgres. And read past a request line over the limit, for the
    app's 414 page. The templates are compiled, and the dashboard's other one-off work done,
    before the first request (app/templates_ready.py)."""
    import gc

    from gevent import monkey
    from psycopg2 import extensions

    from app.database import wait_with_deadline
    from app.long_request_line import read_long_lines
    from app.templates_ready import compile_templates, warm_up_dashboard

    if monkey.is_module_patched("select"):
        extensions.set_wait_callback(wait_with_deadline)
    read_long_lines()
    # Everything loaded so far lives as long as the process: out of the collector's way, so
    # that a full collection walks only what requests and streams made since (with a thousand
    # streams open, the dashboard's slowest answers fell from 140-180 ms to under 70 ms). Frozen
    # before the one-off work too, whose collections would otherwise walk the whole app (the
    # dashboard's took 170 ms of CPU instead of 70), and after it, with what it loaded.
    gc.freeze()
    app = worker.wsgi
    if hasattr(app, "jinja_env"):  # a Flask app (the desk, or a benchmark's floor)
        compile_templates(app)
    if "orders" in getattr(app, "blueprints", {}):  # the desk
        warm_up_dashboard(app)
    gc.freeze()
    end_streams_on_exit(worker)
    if ready_dir := os.environ.get("WEB_READY_DIR"):
        open(os.path.join(ready_dir, str(worker.pid)), "w").close()


def end_streams_on_exit(worker) -> None:
    """On SIGTERM (a graceful stop: a deploy), end the worker's live streams at once, so that
    the browsers reconnect to a process that stays within a fraction of a second, instead of
    being cut at the graceful timeout; the other requests finish as before."""
    import signal

    graceful_exit = worker.handle_exit

    def handle_exit(sig, frame) -> None:
        graceful_exit(sig, frame)
        hub = getattr(worker.wsgi, "extensions", {}).get("live_hub")
        if hub is not None:
            import gevent

            gevent.spawn(hub.end_all)  # out of the signal handler

    signal.signal(signal.SIGTERM, handle_exit)


def child_exit(server, worker) -> None:
    from app.metrics import process_exited

    process_exited(worker.pid)


def when_ready(server) -> None:
    if address := SETTINGS["METRICS_ADDRESS"]:
        from app.metrics.routes import serve_metrics

        host, _, port = address.rpartition(":")
        host = host or "127.0.0.1"
        port = serve_metrics(SETTINGS, host, int(port))
        server.log.info("metrics served on http://%s:%s/metrics", host, port)


def post_request(worker, req, environ, resp) -> None:
    """Let the process's other connections have their turn after every request. A greenlet
    yields only when it would wait, and a keep-alive client that sends its next request at once
    never makes it wait; so a page that needs no database (a 304 from memory, a kept table)
    would let one connection hold the process while others queued for up to a second. A sleep
    on the shortest timer makes the event loop read the network before this connection goes on
    (`sleep(0)` would let only the greenlets already scheduled run first, and `idle()` would
    hold every connection back until no other is busy, a quarter of the throughput of pages
    that wait on the database)."""
    if monkey_patched():
        import gevent

        gevent.sleep(TURN_SECONDS)


def monkey_patched() -> bool:
    from gevent import monkey

    return monkey.is_module_patched("socket")
