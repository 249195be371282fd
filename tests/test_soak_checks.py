"""The soak's verdicts (bench/soak_checks.py, bench/soak_report.py): an order lost or registered
twice is caught, a failure is forgiven only as a styled 503 inside a fault's window, and memory
is judged per process over the part of the window it lived."""

import uuid

import pytest

from app.config import TestConfig
from app.extensions import db
from app.models import OrderStatus
from bench.soak_checks import check_orders
from bench.soak_customers import Answer, Ledger
from bench.soak_faults import Window
from bench.soak_report import allowed, failed, fault_table, memory_growth, per_second
from sandbox.settings import SandboxSettings
from sandbox.store import SandboxStore
from tests.factories import Factory
from tests.support.orders import insert_orders

WINDOW = Window("Redis cut", start=100.0, end=115.0)


@pytest.fixture
def provider():
    """The test sandbox's own store, to register orders at the provider as a send would."""
    return SandboxStore(SandboxSettings(redis_url=TestConfig.REDIS_URL, prefix="sandbox"))


def register(provider, order_id, attempt: int = 1) -> None:
    provider.save_orders({str(uuid.uuid4()): {"key": f"{order_id}:{attempt}"}})


def orders(app, *statuses: str) -> list[str]:
    user = Factory(db.session).user()
    return [str(insert_orders(user.id, 1, status=s)[0][0]) for s in statuses]


def ledger_of(created=(), sent=()) -> Ledger:
    ledger = Ledger()
    ledger.created.update(created)
    ledger.sent.update(sent)
    return ledger


def check(sandbox_url, ledger):
    return check_orders(TestConfig.SQLALCHEMY_DATABASE_URI, sandbox_url, ledger)


def test_orders_kept_and_registered_once_pass(app, sandbox_url, provider):
    sent, draft = orders(app, OrderStatus.IN_PROCESSING, OrderStatus.DRAFT)
    register(provider, sent)
    found = check(sandbox_url, ledger_of(created=[sent, draft], sent=[sent]))
    assert found["lost"] == {} and found["duplicates"] == {}
    assert found["by_status"] == {"draft": 1, "in_processing": 1}
    assert found["provider_orders"] == 1


def test_each_way_of_losing_an_order_is_caught(app, sandbox_url, provider):
    stuck, shown_as_draft = orders(app, OrderStatus.SENDING, OrderStatus.DRAFT)
    gone, unknown = str(uuid.uuid4()), str(uuid.uuid4())
    register(provider, shown_as_draft)
    register(provider, unknown)
    ledger = ledger_of(created=[stuck, shown_as_draft, gone], sent=[stuck])
    assert check(sandbox_url, ledger)["lost"] == {
        gone: "created, then gone",
        stuck: "sent, still sending",
        unknown: "at the provider, gone here",
        shown_as_draft: "at the provider, a draft here",
    }


def test_two_provider_orders_for_one_order_are_a_duplicate(app, sandbox_url, provider):
    (order,) = orders(app, OrderStatus.IN_PROCESSING)
    register(provider, order, attempt=1)
    register(provider, order, attempt=2)
    found = check(sandbox_url, ledger_of(created=[order], sent=[order]))
    assert list(found["duplicates"]) == [order]
    assert len(found["duplicates"][order]) == 2


@pytest.mark.parametrize(
    ("answer", "forgiven"),
    [
        (Answer(105, "dashboard", 503, 10, styled=True), True),
        (Answer(124, "dashboard", 503, 10, styled=True), True),  # recovering, within the grace
        (Answer(95, "dashboard", 503, 7000, styled=True), True),  # under way when it began
        (Answer(105, "dashboard", 503, 10, styled=False), False),  # a bare page (a proxy's)
        (Answer(105, "dashboard", 502, 10, styled=False), False),
        (Answer(105, "send", 500, 10, styled=True), False),
        (Answer(105, "catalog", "ConnectionError", 10, styled=False), False),
        (Answer(60, "dashboard", 503, 10, styled=True), False),  # no fault then
    ],
)
def test_only_a_styled_503_inside_a_fault_window_is_forgiven(answer, forgiven):
    assert failed(answer)
    assert allowed(answer, [WINDOW]) is forgiven


def test_the_fault_table_counts_failures_and_the_recovery():
    answers = [
        Answer(101, "dashboard", 503, 20, styled=True),
        Answer(117, "send", 503, 1000, styled=True),  # answered at 118 s: 3 s after the end
        Answer(110, "catalog", 200, 20, styled=False),
        Answer(90, "catalog", 500, 20, styled=False),  # before the fault: not its failure
    ]
    header, row, note = fault_table(answers, [WINDOW])
    assert row.split()[:6] == ["Redis", "cut", "100s", "15.0s", "3.0s", "2"]
    assert "503 styled" in row and "UNEXPECTED" not in row


def test_per_second_separates_forgiven_and_unexpected_failures():
    answers = [
        Answer(100.2, "dashboard", 503, 5, styled=True),
        Answer(100.7, "dashboard", 502, 5, styled=False),
        Answer(101.5, "dashboard", 200, 5, styled=False),
    ]
    series = per_second(answers, [WINDOW], 103)
    assert series["throughput"][100:103] == [2, 1, 0]
    assert series["expected"][100] == 1 and series["unexpected"][100] == 1


def samples(name: str, start: int, end: int, first: float, last: float):
    """One sample every 2 s from `start` to `end`, growing evenly from `first` to `last` MB."""
    points = range(start, end + 1, 2)
    step = (last - first) / max(1, len(points) - 1)
    return [(t, name, first + n * step) for n, t in enumerate(points)]


def test_memory_is_judged_per_process_over_the_part_of_the_window_it_lived():
    steady = samples("web-1/10", 0, 1800, 100, 104)
    leaking = samples("worker-1/11", 0, 1800, 100, 150)
    restarted = samples("web-2/12", 700, 1800, 90, 92)  # started again at 700 s
    brief = samples("worker-2/13", 1500, 1800, 90, 120)
    growth = memory_growth([*steady, *leaking, *restarted, *brief], 600, 1800)
    assert growth["web-1/10"]["judged"] and growth["web-1/10"]["growth"] < 0.10
    assert growth["worker-1/11"]["judged"] and growth["worker-1/11"]["growth"] > 0.10
    assert growth["web-2/12"]["from"] == 760  # a minute after its start
    assert growth["web-2/12"]["judged"]
    assert not growth["worker-2/13"]["judged"]
