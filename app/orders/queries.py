"""Reading orders: the owner-checked loader and the dashboard's pages."""

import math
import re
import uuid
from dataclasses import dataclass

from flask import abort
from flask_login import current_user
from sqlalchemy import func, select

from app.extensions import db
from app.models import Order, OrderStatus


def get_own_order(order_id: uuid.UUID) -> Order:
    """The current user's order, or 404.

    Someone else's order answers exactly like one that does not exist, so an id never
    confirms that an order exists.
    """
    order = db.session.scalar(
        select(Order).where(Order.id == order_id, Order.user_id == current_user.id)
    )
    if order is None:
        abort(404)
    return order


@dataclass(frozen=True)
class OrdersPage:
    orders: list[Order]
    page: int
    pages: int
    total: int
    status: str

    @property
    def query(self) -> dict:
        return {"page": self.page, "status": self.status} if self.status else {"page": self.page}


PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


def parse_listing_args(args) -> tuple[int, str]:
    """Page number and status filter from a query string; nonsense falls back to defaults.

    Only ASCII digits make a page number (`str.isdigit` also accepts "²", which `int` refuses).
    """
    raw_page = args.get("page", "1")
    page = int(raw_page) if PAGE_NUMBER.fullmatch(raw_page) else 1
    status = args.get("status", "")
    return max(page, 1), status if status in OrderStatus.LABELS else ""


def list_orders(user_id: int, page: int, status: str, per_page: int) -> OrdersPage:
    """One page of the user's orders, newest first (served by ix_orders_user_created)."""
    conditions = [Order.user_id == user_id]
    if status:
        conditions.append(Order.status == status)
    total = db.session.scalar(select(func.count()).select_from(Order).where(*conditions))
    pages = max(1, math.ceil(total / per_page))
    page = min(page, pages)
    orders = db.session.scalars(
        select(Order)
        .where(*conditions)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return OrdersPage(list(orders), page, pages, total, status)
