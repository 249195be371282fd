from flask import render_template
from flask_login import login_required

from app.catalog import bp


@bp.get("")
@login_required
def index():
    return render_template("catalog/index.html")
