"""Dashboard server time for a user with many orders: `python -m bench.dashboard_bench`.

Measures, in one run on the same data, the time the server spends on one dashboard request
(Flask test client, in process, so no network or client cost):
- ours: page 1 and page 500 of 20 rows (indexed, offset pagination, one count);
- the baseline: the whole order list loaded and rendered, as a dashboard without pagination does;
- the floor: a trivial Flask + Jinja page on the same app and session.
"""

import argparse
import statistics
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask import render_template_string
from sqlalchemy import delete, select

from app.extensions import db
from app.models import Order, OrderStatus, User
from app.orders.queries import OrdersPage
from bench.common import machine, peak_rss_mb, summary, timed
from bench.environment import bench_app, prepare_database
from tests.support.orders import insert_orders

EMAIL = "dashboard-bench@example.com"
START = datetime(2025, 1, 1, tzinfo=UTC)


def seed(count: int) -> None:
    db.session.execute(delete(User).where(User.email == EMAIL))
    user = User(email=EMAIL)
    user.set_password("bench-password")
    db.session.add(user)
    db.session.commit()
    money = {"price": Decimal("100.10"), "tax": Decimal("22.02"), "gross": Decimal("122.12")}
    insert_orders(user.id, count, each=status_and_age, **money)
    db.session.execute(db.text("ANALYZE orders"))
    db.session.commit()


def status_and_age(n: int) -> dict:
    """Drafts, orders in processing and done ones in turn, a minute apart."""
    statuses = (OrderStatus.DRAFT, OrderStatus.IN_PROCESSING, OrderStatus.DONE)
    return {"status": statuses[n % 3], "created_at": START + timedelta(minutes=n)}


def add_baseline_routes(app) -> None:
    @app.get("/bench/all-orders")
    def all_orders():
        user = db.session.scalar(select(User).filter_by(email=EMAIL))
        orders = db.session.scalars(
            select(Order).filter_by(user_id=user.id).order_by(Order.created_at.desc())
        ).all()
        listing = OrdersPage(list(orders), 1, 1, len(orders), "")
        return render_template_string('{% include "orders/_table.html" %}', listing=listing)

    @app.get("/bench/trivial")
    def trivial():
        return render_template_string("<p>{{ name }}</p>", name="floor")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    app = bench_app(WTF_CSRF_ENABLED=False)
    prepare_database(app)
    add_baseline_routes(app)
    with app.app_context():
        seed(args.orders)
    client = app.test_client()
    client.post("/login", data={"email": EMAIL, "password": "bench-password"})
    table = {"HX-Request": "true", "HX-Target": "orders-table"}

    def get(url, headers=None):
        return lambda: client.get(url, headers=headers or {}).close()

    cases = [
        ("floor: trivial Flask + Jinja page", get("/bench/trivial")),
        ("dashboard page 1 (full page)", get("/")),
        ("dashboard page 1 (table partial)", get("/", table)),
        ("dashboard page 500 (full page)", get("/?page=500")),
        ("dashboard page 500 (table partial)", get("/?page=500", table)),
        ("baseline: every order, unpaginated", get("/bench/all-orders")),
    ]
    print(f"Dashboard server time, {args.orders} orders for one user; {machine()}")
    results = {}
    for name, call in cases:
        call()
        repeat = max(5, args.repeat // 20) if name.startswith("baseline") else args.repeat
        results[name] = timed(call, repeat)
        print(f"  {name:40s} {summary(results[name])}")
    floor = statistics.median(results["floor: trivial Flask + Jinja page"])
    base = statistics.median(results["baseline: every order, unpaginated"])
    for name in ("dashboard page 1 (full page)", "dashboard page 500 (full page)"):
        median = statistics.median(results[name])
        speedup, over_floor = base / median, median / floor
        print(
            f"  {name}: {speedup:5.1f}x the baseline's speed, {over_floor:4.1f}x the floor's time"
        )
    print(f"  peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
