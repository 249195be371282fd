"""Command-line tasks: service checks, databases, accounts."""

import sys

import click
import psycopg2
import redis
from flask import Flask, current_app
from psycopg2 import sql
from sqlalchemy.engine import make_url

from app.accounts import AccountError, create_user, set_operator, upsert_user
from app.orders.sending.resolution import sends_command
from app.orders.sync import sync_orders_command

START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_REDIS = "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"


def postgres_answers(url) -> bool:
    try:
        psycopg2.connect(**server_params(url), dbname="postgres", connect_timeout=3).close()
    except psycopg2.OperationalError:
        return False
    return True


def server_params(url) -> dict:
    return {
        "host": url.host,
        "port": url.port or 5432,
        "user": url.username,
        "password": url.password,
    }


def redis_answers(redis_url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def ensure_database(url) -> bool:
    """Create the database named in `url` if it does not exist; True if it was created."""
    conn = psycopg2.connect(**server_params(url), dbname="postgres", connect_timeout=3)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,))
            if cur.fetchone():
                return False
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))
            return True
    finally:
        conn.close()


@click.command("ensure-services")
@click.option("--database-url", "extra_urls", multiple=True, help="Another database to create.")
def ensure_services(extra_urls: tuple[str, ...]) -> None:
    """Check that Postgres and Redis answer, and create the databases if missing."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if not postgres_answers(url):
        sys.exit(
            f"Postgres is not answering at {url.host}:{url.port or 5432}. "
            f"Start it with: {START_POSTGRES}"
        )
    if not redis_answers(current_app.config["REDIS_URL"]):
        sys.exit(
            f"Redis is not answering at {current_app.config['REDIS_URL']}. "
            f"Start it with: {START_REDIS}"
        )
    for database in (url, *map(make_url, extra_urls)):
        if ensure_database(database):
            click.echo(f"Created database {database.database}")


@click.command("seed-user")
@click.option("--email", default="test@gmail.com", show_default=True)
@click.option("--password", default="qwe123", show_default=True)
def seed_user(email: str, password: str) -> None:
    """Create the test user, or reset its password; safe to run again."""
    user, created = upsert_user(email, password)
    click.echo(f"{'Created' if created else 'Updated'} user {user.email}")


@click.command("create-user")
@click.option("--email", prompt=True)
@click.password_option()
@click.option("--operator", is_flag=True, help="Let the user open the operators' console.")
def create_user_command(email: str, password: str, operator: bool) -> None:
    """Create a customer account (or an operator's, with --operator)."""
    try:
        user = create_user(email, password, operator=operator)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {'operator' if operator else 'user'} {user.email}")


@click.command("operator")
@click.argument("action", type=click.Choice(["grant", "revoke"]))
@click.argument("email")
def operator_command(action: str, email: str) -> None:
    """Grant or revoke the operator role of an existing account."""
    try:
        user = set_operator(email, operator=action == "grant")
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{user.email} is {'now' if user.is_operator else 'no longer'} an operator")


def init_app(app: Flask) -> None:
    commands = (
        ensure_services,
        seed_user,
        create_user_command,
        operator_command,
        sync_orders_command,
        sends_command,
    )
    for command in commands:
        app.cli.add_command(command)
