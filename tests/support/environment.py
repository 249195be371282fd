"""Starting the app as a process does, from its environment alone (no `.env` file is read)."""

PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "NiQrF89qXCSsbI_NxrM_ph9eC5P3RZJeF3_kAc7VPMWMNANM9pzPZLug89AysPUC",
    "DATABASE_URL": "postgres://u@db/prod",
    "REDIS_URL": "redis://cache:6379/0",
    "CATALOG_SERVICES_API_TOKEN": "t1",
    "ORDER_SERVICE_API_TOKEN": "t2",
}


def use_environment(monkeypatch, **values: str) -> None:
    """Exactly these of the settings in PRODUCTION, and no `.env` file."""
    monkeypatch.setattr("app.config.load_dotenv", lambda: None)
    for name in PRODUCTION:
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
