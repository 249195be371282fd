"""Which revision of a draft a page showed, and the watch that tells an open draft it moved on.

Every form that changes a draft (Save, Send, Delete) carries the revision it was drawn from in
a hidden field, `revision`; the change is made only while the draft is still that revision
(`app.orders.drafts`), and a stale one gets the conflict page (`app.orders.pages.conflicts`). A
request without the field is not checked (older pages, scripts); one with a field that is no
revision number is a 400.

An open draft (its order page, its edit form) holds a watch (`orders/_draft_watch.html`): on
each live change of that order (`app.js` compares the change's revision and status with the
page's) and whenever its stream (re)connects (a change published before it listened), it asks
`watch` whether the draft is still the revision it shows, and says in place if not.
"""

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
    """The revision the posted form was drawn from; None if it did not say. A value that is
    no revision number is refused (400) before anything changes."""
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
    """How an order moved on from the draft of `revision` a page shows: deleted (or not the
    reader's), sent (no draft any more), changed (a newer revision), or None: still current."""
    if order is None:
        return DELETED
    if order.status != OrderStatus.DRAFT:
        return SENT
    if order.revision != revision:
        return CHANGED
    return None


@bp.get("/orders/<uuid:order_id>/watch")
@login_required
def watch(order_id: uuid.UUID):
    """The watch of an open draft of `?revision=`: watching on, or the notice that it moved
    on. Someone else's order answers as a deleted one."""
    revision = linked_revision(request.args)
    if revision is None:
        abort(400, description=str(UNREADABLE))
    moved = how_it_moved(find_own_order(order_id), revision)
    return render_template(
        "orders/_draft_watch.html", order_id=order_id, revision=revision, moved=moved
    )
