from app import create_app_or_exit
from app.logs import configure_logging

app = create_app_or_exit()
configure_logging(app.config)
