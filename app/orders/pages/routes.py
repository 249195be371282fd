"""Order pages: dashboard (or its table, for htmx), new/edit forms with live totals, order page."""

import uuid

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.catalog.service import find_services, get_catalog
from app.flashes import flash_progress
from app.htmx import wants_fragment
from app.models import OrderStatus
from app.money import compute_totals
from app.orders.drafts import (
    OrderConflict,
    OrderInputError,
    StaleRevision,
    create_draft,
    split_selection,
    update_draft,
)
from app.orders.live import login_ended_answer, open_stream
from app.orders.pages import bp
from app.orders.pages.actions import refuse
from app.orders.pages.conflicts import save_conflict
from app.orders.pages.revisions import seen_revision
from app.orders.pages.table import current_table_tag, rendered_page, rendered_table, tagged
from app.orders.queries import get_own_order, list_orders, open_drafts, parse_listing_args


@bp.get("/")
@login_required
def dashboard():
    """The page, or for htmx its table; the table is answered 304 when the client has it."""
    args = parse_listing_args(request.args)
    tag = current_table_tag(args)
    wants_table = wants_fragment("orders-table")
    if wants_table and request.if_none_match.contains(tag):
        return tagged(Response(status=304), tag)
    per_page = current_app.config["ORDERS_PER_PAGE"]
    table = rendered_table(tag, lambda: list_orders(current_user.id, args, per_page))
    if wants_table:
        return tagged(Response(str(table)), tag)
    return rendered_page(tag, table, args.search)


@bp.get("/orders/events")
def events():
    """The user's orders' live events; 204 stops the browser retrying. Without a live login only
    `login-ended`, which sends the page to log in (a redirect would have it retry for ever)."""
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    if not current_user.is_authenticated:
        return Response(login_ended_answer(), mimetype="text/event-stream", headers=headers)
    stream = open_stream(current_user)
    if stream is None:
        return "", 204
    return Response(stream, mimetype="text/event-stream", headers=headers)


def render_form(order=None, selected=(), error=None, status=200, added=None, revision=None):
    """The form: the chosen services first, then the rest of the catalog, with the totals; an
    edit form's `revision` is the draft's it was drawn from (by default the current one)."""
    catalog = get_catalog()
    index = catalog.by_uuid()
    chosen = [index[value] for value in selected if value in index]
    gone = set(selected) - index.keys()  # chosen, but no longer in the catalog
    vanished = [item for item in (order.items if order else []) if str(item.service_uuid) in gone]
    picked = {service.uuid for service in chosen}
    html = render_template(
        "orders/form.html",
        order=order,
        revision=order.revision if order and revision is None else revision,
        catalog=catalog,
        chosen=chosen,
        others=[service for service in catalog.services if service.uuid not in picked],
        added=added,
        vanished=vanished,
        totals=compute_totals(chosen + vanished),
        count=len(chosen) + len(vanished),
        error=error,
    )
    return html, status


@bp.route("/orders/new", methods=["GET", "POST"])
@login_required
def new():
    if request.method == "GET":
        wanted = canonical(request.args.getlist("service"))
        return render_form(selected=wanted, added=wanted[-1] if wanted else None)
    submitted = request.form.getlist("services")
    if "recalculate" in request.form:  # Update totals, shown without JavaScript: saves nothing
        return render_form(selected=canonical(submitted))
    try:
        order = create_draft(current_user.id, submitted)
    except OrderInputError as error:
        return render_form(selected=canonical(submitted), error=str(error), status=422)
    saved = _("Draft saved. Send it to processing when you are ready.")
    flash_progress(order.id, OrderStatus.DRAFT, saved)
    return redirect(url_for("orders.show", order_id=order.id), 303)


@bp.route("/orders/<uuid:order_id>/edit", methods=["GET", "POST"])
@login_required
def edit(order_id: uuid.UUID):
    order = get_own_order(order_id)
    if order.status != OrderStatus.DRAFT:
        return refuse_edit(order_id)
    if request.method == "GET":
        selected = [str(item.service_uuid) for item in order.items]
        added = next(iter(canonical([request.args.get("add")])), None)  # "Order this" into it
        if added and added not in selected:
            selected.append(added)
        return render_form(order, selected, added=added)
    seen = seen_revision()  # redrawn forms carry it on, so a change meanwhile is still caught
    submitted = request.form.getlist("services")
    selected = canonical(submitted)
    if "recalculate" in request.form:
        return render_form(order, selected=selected, revision=seen)
    try:
        update_draft(order, submitted, seen)
    except OrderInputError as error:
        return render_form(order, selected=selected, error=str(error), status=422, revision=seen)
    except StaleRevision:
        return save_conflict(get_own_order(order_id), selected)
    except OrderConflict:
        return refuse_edit(order_id)
    flash_progress(order_id, OrderStatus.DRAFT, _("Draft updated."))
    return redirect(url_for("orders.show", order_id=order_id), 303)


def refuse_edit(order_id: uuid.UUID):
    return refuse(order_id, 409, _("Only drafts can be edited; this order was sent already."))


def canonical(values) -> list[str]:
    return split_selection(values)[0]


@bp.get("/orders/add")
@login_required
def add_service():
    """The catalog's "Order this": into which open draft, or a new order (at once if none)?"""
    wanted = canonical(request.args.getlist("service"))[:1]
    found = find_services(wanted)
    if not found:
        abort(404, description=_("This service is not in the catalog (any more)."))
    service = found[wanted[0]]
    drafts = open_drafts(current_user.id)
    if not drafts:
        return redirect(url_for("orders.new", service=service.uuid))
    return render_template("orders/add.html", service=service, drafts=drafts)


@bp.get("/orders/totals")
@login_required
def totals():
    wanted = canonical(request.args.getlist("services"))
    found = find_services(wanted)
    missing = [value for value in wanted if value not in found]
    chosen = [found[value] for value in wanted if value in found]
    return render_template(
        "orders/_totals.html", totals=compute_totals(chosen), count=len(chosen), missing=missing
    )


@bp.get("/orders/<uuid:order_id>")
@login_required
def show(order_id: uuid.UUID):
    order = get_own_order(order_id)
    if wants_fragment("order-summary"):
        return render_template("orders/_summary.html", order=order)
    return render_template("orders/show.html", order=order)
