"""Command-line tasks: service checks, databases, accounts."""

import sys
from contextlib import closing

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


def connect_to_server(url):
    params = dict(host=url.host, port=url.port or 5432, user=url.username, password=url.password)
    return psycopg2.connect(**params, dbname="postgres", connect_timeout=3)


def ensure_database(url) -> bool:
    """Create the database named in `url` if it does not exist; True if it was created."""
    with closing(connect_to_server(url)) as conn, conn.cursor() as cur:
        conn.autocommit = True
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,))
        if cur.fetchone():
            return False
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))
        return True


@click.command("ensure-services")
@click.option("--database-url", "extra_urls", multiple=True, help="Another database to create.")
def ensure_services(extra_urls: tuple[str, ...]) -> None:
    """Check that Postgres and Redis answer, and create the databases if missing."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        connect_to_server(url).close()
    except psycopg2.OperationalError:
        where = f"{url.host}:{url.port or 5432}"
        sys.exit(f"Postgres is not answering at {where}. Start it with: {START_POSTGRES}")
    redis_url = current_app.config["REDIS_URL"]
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        sys.exit(f"Redis is not answering at {redis_url}. Start it with: {START_REDIS}")
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
    app.cli.add_command(ensure_services)
    app.cli.add_command(seed_user)
    app.cli.add_command(create_user_command)
    app.cli.add_command(operator_command)
    app.cli.add_command(sync_orders_command)
    app.cli.add_command(sends_command)
