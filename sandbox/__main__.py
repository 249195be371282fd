"""Run the sandbox: `python -m app.sandbox --host 127.0.0.1 --port 8001 [--workers N]` (or
`python -m sandbox`, the same)."""

import argparse
import os
import sys
from pathlib import Path

from sandbox import create_sandbox_app
from sandbox.settings import SandboxSettings


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m app.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1, help="processes (gunicorn) if > 1")
    parser.add_argument("--threads", type=int, default=16, help="threads per process")
    parser.add_argument("--latency-ms", type=float)
    parser.add_argument("--processing-seconds", type=float)
    parser.add_argument("--error-rate", type=float)
    parser.add_argument("--page-size", type=int)
    parser.add_argument("--catalog-size", type=int)
    parser.add_argument("--catalog-token")
    parser.add_argument("--order-token")
    parser.add_argument("--redis-url")
    parser.add_argument("--prefix")
    return parser.parse_args(argv)


KNOBS = (
    "latency_ms",
    "processing_seconds",
    "error_rate",
    "page_size",
    "catalog_size",
    "catalog_token",
    "order_token",
    "redis_url",
    "prefix",
)


def run_gunicorn(args) -> None:
    """Several processes share the state in Redis; flags travel to them as env."""
    for name in KNOBS:
        if getattr(args, name) is not None:
            os.environ[f"SANDBOX_{name.upper()}"] = str(getattr(args, name))
    command = [
        "gunicorn",
        "--config",
        str(Path(__file__).with_name("gunicorn.conf.py")),
        "-w",
        str(args.workers),
        "-k",
        "gthread",
        "--threads",
        str(args.threads),
        "-b",
        f"{args.host}:{args.port}",
        "--log-level",
        "warning",
        "sandbox:create_sandbox_app()",
    ]
    os.execvp(command[0], command)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.workers > 1:
        run_gunicorn(args)
    settings = SandboxSettings.from_env(**{name: getattr(args, name) for name in KNOBS})
    app = create_sandbox_app(settings)
    print(f"Sandbox provider on http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
