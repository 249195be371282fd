"""The floor for a page: a trivial Flask + Jinja app, served on the web process's settings."""

from flask import Flask, render_template_string

app = Flask(__name__)

PAGE = "<!doctype html><title>{{ title }}</title><p>Hello, {{ name }}.</p>"


@app.get("/")
def index():
    return render_template_string(PAGE, title="Floor", name="world")
