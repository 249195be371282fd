"""Production is the default, and no process starts on a missing, published, short or
guessable secret key; each refusal is one clear line."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.config import (
    DEV_SECRET_KEY,
    ConfigError,
    ProductionError,
    check_production,
    check_secret_key,
    environment_settings,
)
from app.key_strength import MIN_SECRET_KEY_BITS, estimated_bits
from tests.support.environment import PRODUCTION, use_environment
from tests.support.processes import closed_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def environment(monkeypatch):
    """Sets the process environment, which alone decides (no `.env` file is read)."""
    use_environment(monkeypatch)
    return lambda **values: use_environment(monkeypatch, **values)


def test_production_is_the_default(environment):
    with pytest.raises(ProductionError, match="SECRET_KEY"):
        create_app()
    environment(**PRODUCTION)
    app = create_app()
    assert app.config["APP_ENV"] == "production" and app.config["SESSION_COOKIE_SECURE"]


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, "change-me", "x" * 31])
def test_production_refuses_published_and_short_keys(environment, key):
    environment(**{**PRODUCTION, "SECRET_KEY": key})
    with pytest.raises(ProductionError, match="SECRET_KEY is"):
        create_app()


# Long enough, and still guessable: repeats, or too few different characters.
GUESSABLE_KEYS = {
    "40 spaces": " " * 40,
    "one letter": "a" * 40,
    "abc over and over": "abc" * 14,
    "a short word repeated": "k3y-" * 10,
    "the ten digits four times": "0123456789" * 4,
    "the hex digits four times": "0123456789abcdef" * 4,
    "eight letters five times": "abcdefgh" * 5,
}


@pytest.mark.parametrize("key", GUESSABLE_KEYS.values(), ids=GUESSABLE_KEYS)
def test_production_refuses_a_key_too_easy_to_guess(environment, key):
    environment(**{**PRODUCTION, "SECRET_KEY": key})
    with pytest.raises(ProductionError, match=r"^SECRET_KEY is too easy to guess \(") as refused:
        create_app()
    assert f"at least {MIN_SECRET_KEY_BITS} needed" in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "generate",
    [lambda: secrets.token_urlsafe(48), lambda: secrets.token_hex(32)],
    ids=["token_urlsafe(48)", "token_hex(32)"],
)
def test_random_keys_pass_with_room_to_spare(generate):
    keys = [generate() for _ in range(5000)]
    for key in keys:
        check_secret_key(key)
    assert min(map(estimated_bits, keys)) > 1.5 * MIN_SECRET_KEY_BITS


@pytest.mark.parametrize("key", ["change-me", "short", "ab" * 20])
def test_development_refuses_a_given_weak_key_too(environment, key):
    environment(APP_ENV="development", SECRET_KEY=key)
    with pytest.raises(ProductionError, match="SECRET_KEY is"):
        create_app()


def test_development_is_chosen_explicitly_and_runs_on_its_own_key(environment):
    environment(APP_ENV="development")
    app = create_app()
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY
    assert not app.config["SESSION_COOKIE_SECURE"]


def test_production_checks_the_settings_it_is_given_not_the_environment(environment):
    given = {
        "SECRET_KEY": "k" * 40,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg2://u@db/prod",
        "REDIS_URL": "redis://cache:6379/0",
        "CATALOG_SERVICES_API_TOKEN": "t1",
    }
    environment(**PRODUCTION)  # the environment has every secret, the settings given lack one
    with pytest.raises(ProductionError, match="needs these settings: ORDER_SERVICE_API_TOKEN$"):
        check_production(given)
    environment()  # the environment has none, the settings given have them all
    complete = {**given, "ORDER_SERVICE_API_TOKEN": "t2"}
    check_production(complete)
    assert complete["SESSION_COOKIE_SECURE"] and complete["REMEMBER_COOKIE_SECURE"]


def test_a_process_reads_its_settings_as_the_app_does(environment, monkeypatch):
    environment(APP_ENV="development")
    process = {"LOG_FORMAT": "json", "LOG_LEVEL": "WARNING", "METRICS_ADDRESS": "10.0.0.5:9100"}
    for name, value in {**process, "WEB_CONCURRENCY": "3"}.items():
        monkeypatch.setenv(name, value)
    settings, app = environment_settings(), create_app()
    assert {name: settings[name] for name in process} == process
    assert settings["WEB_CONCURRENCY"] == app.config["WEB_CONCURRENCY"] == 3
    assert {name: app.config[name] for name in process} == process


def test_an_unknown_environment_is_refused(environment):
    environment(**{**PRODUCTION, "APP_ENV": "prod"})
    with pytest.raises(ConfigError, match="APP_ENV must be one of"):
        create_app()


def test_a_login_limit_that_does_not_parse_is_refused(environment):
    environment(**PRODUCTION, LOGIN_LIMIT_PER_ADDRESS="lots")
    with pytest.raises(ConfigError, match="LOGIN_LIMIT_PER_ADDRESS must read like"):
        create_app()


def run(command: list[str], **env) -> subprocess.CompletedProcess:
    """A process started as the Procfiles start it; `.env` values never override these."""
    path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    full = {**os.environ, "PATH": path, "SECRET_KEY": "", **env}
    return subprocess.run(command, cwd=ROOT, env=full, capture_output=True, text=True, timeout=60)


def procfile_command(name: str) -> str:
    """The Procfile's command for `name`, bound to the loopback address for the test."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    [command] = [line.split(":", 1)[1] for line in lines if line.startswith(f"{name}:")]
    return command.replace("0.0.0.0", "127.0.0.1")


def test_the_web_process_refuses_to_start_without_a_secret_key():
    result = run(["bash", "-c", procfile_command("web")], APP_ENV="production", PORT="0")
    assert result.returncode == 1
    [error] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    refusal = "Error: Click to Mice will not start: Production needs these settings: SECRET_KEY"
    assert error.startswith(refusal)
    assert "Booting worker" not in result.stderr and "Listening at" not in result.stderr


def test_the_web_process_refuses_a_guessable_key_before_it_opens_a_port():
    settings = {**PRODUCTION, "SECRET_KEY": " " * 40}
    result = run(["bash", "-c", procfile_command("web")], **settings, PORT="0")
    assert result.returncode == 1
    [error] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert error.startswith("Error: Click to Mice will not start: SECRET_KEY is too easy to guess")
    assert "Booting worker" not in result.stderr and "Listening at" not in result.stderr


@pytest.mark.parametrize("process", ["worker.py", "scheduler.py"])
def test_the_worker_and_scheduler_refuse_a_published_key_in_one_line(process):
    settings = {**PRODUCTION, "SECRET_KEY": "change-me"}
    settings["REDIS_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    result = run([sys.executable, process], **settings)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Click to Mice will not start: SECRET_KEY is a published example value; generate one "
        "with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
    ]


def test_flask_commands_refuse_a_short_key_in_one_line():
    result = run(["flask", "--app", "wsgi", "seed-user"], APP_ENV="development", SECRET_KEY="x")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Click to Mice will not start: SECRET_KEY is shorter")
    assert len(result.stderr.strip().splitlines()) == 1
