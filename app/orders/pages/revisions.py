"""Which revision of a draft a page showed (forms carry it in a hidden field, `revision`), and
the watch that tells an open draft's page that the draft moved on."""

import re
import uuid

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from app.models import Order, OrderStatus
from app.orders.pages import bp
from app.orders.queries import find_own_order

# ASCII digits only (`str.isdigit` also takes "²"), and few enough for a Postgres integer.
REVISION = re.compile(r"[0-9]{1,9}")

CHANGED, SENT, DELETED = "changed", "sent", "deleted"
UNREADABLE = _l("The version of the order this page shows cannot be read. Reload the page.")


def seen_revision() -> int | None:
    """The revision the posted form was drawn from; None if it did not say; 400 for nonsense."""
    raw = request.form.get("revision")
    if raw is None:
        return None
    if not REVISION.fullmatch(raw):
        abort(400, description=str(UNREADABLE))
    return int(raw)


def linked_revision(args: MultiDict) -> int | None:
    """The revision a link carries in its query (`?revision=`), or None for none or nonsense."""
    raw = args.get("revision", "")
    return int(raw) if REVISION.fullmatch(raw) else None


def how_it_moved(order: Order | None, revision: int) -> str | None:
    """How an order moved on from the draft of `revision` a page shows; None if it did not."""
    if order is None:
        return DELETED  # or not the reader's
    if order.status != OrderStatus.DRAFT:
        return SENT
    return CHANGED if order.revision != revision else None


@bp.get("/orders/<uuid:order_id>/watch")
@login_required
def watch(order_id: uuid.UUID):
    """The watch of an open draft of `?revision=`: watching on, or the notice that it moved on."""
    revision = linked_revision(request.args)
    if revision is None:
        abort(400, description=str(UNREADABLE))
    moved = how_it_moved(find_own_order(order_id), revision)
    return render_template(
        "orders/_draft_watch.html", order_id=order_id, revision=revision, moved=moved
    )
