"""The sandbox's deterministic catalog: 15 kinds of service in three tiers."""

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

NAMESPACE = uuid.UUID("6f0b6c1e-2d0a-4c53-9a1e-7c3d8f1e2a40")
CENT = Decimal("0.01")
VAT = Decimal("0.22")

KINDS = [
    ("SEO audit", "seo", "49.90"),
    ("Landing page copy", "copy", "35.50"),
    ("Logo design", "logo", "120.00"),
    ("Social media week", "social", "64.35"),
    ("Newsletter setup", "mail", "29.99"),
    ("Site speed tune-up", "speed", "80.10"),
    ("Product photo set", "photo", "15.25"),
    ("Ad campaign launch", "ads", "99.95"),
    ("Analytics dashboard", "chart", "74.40"),
    ("Accessibility review", "a11y", "58.00"),
    ("Security check", "lock", "133.33"),
    ("Translation, 1,000 words", "lang", "12.10"),
    ("Explainer video script", "video", "45.05"),
    ("Customer survey", "survey", "22.20"),
    ("Brand style guide", "brand", "150.00"),
]
TIERS = [("Basic", Decimal("1")), ("Standard", Decimal("2.5")), ("Pro", Decimal("6"))]


@dataclass(frozen=True)
class SandboxService:
    index: int
    uuid: str
    name: str
    description: str | None
    icon: str | None
    price: Decimal
    tax: Decimal
    gross: Decimal
    updated_at: str | None


def describe(kind: str, tier: str, index: int) -> str:
    return f"{tier} {kind.lower()}, delivered in {2 + index % 9} days."


def updated_at(index: int) -> str:
    return f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}T08:{index % 60:02d}:00Z"


def make_service(index: int) -> SandboxService:
    kind, icon, base = KINDS[index % len(KINDS)]
    tier, factor = TIERS[(index // len(KINDS)) % len(TIERS)]
    cycle = index // (len(KINDS) * len(TIERS))
    price = (Decimal(base) * factor + cycle).quantize(CENT, rounding=ROUND_HALF_UP)
    tax = (price * VAT).quantize(CENT, rounding=ROUND_HALF_UP)
    suffix = f" #{cycle + 1}" if cycle else ""
    return SandboxService(
        index=index,
        uuid=str(uuid.uuid5(NAMESPACE, f"service-{index}")),
        name=f"{kind} — {tier}{suffix}",
        description=None if index % 7 == 3 else describe(kind, tier, index),
        icon=None if index % 5 == 4 else icon,
        price=price,
        tax=tax,
        gross=price + tax,
        updated_at=None if index % 6 == 5 else updated_at(index),
    )


def build_catalog(size: int) -> list[SandboxService]:
    return [make_service(index) for index in range(size)]


def wire_money(value: Decimal, index: int):
    """Money as the provider may send it: a numeric string, a float or an int."""
    if index % 4 == 0:
        return str(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def to_wire(service: SandboxService, image_base: str) -> dict:
    item = {
        "uuid": service.uuid,
        "name": service.name,
        "price": wire_money(service.price, service.index),
        "tax": wire_money(service.tax, service.index),
        "gross": wire_money(service.gross, service.index),
    }
    if service.index % 10 != 9:
        item["description"] = service.description
        item["image"] = f"{image_base}img/{service.icon}.svg" if service.icon else None
    if service.updated_at:
        item["updated_at"] = service.updated_at
    return item


MALFORMED_ITEMS = [
    {"name": "No uuid here", "price": 10, "tax": 2.2, "gross": 12.2},
    {"uuid": "not-a-uuid", "name": "Bad uuid", "price": 10, "tax": 2.2, "gross": 12.2},
    {
        "uuid": str(uuid.uuid5(NAMESPACE, "malformed")),
        "name": "Bad price",
        "price": "ten",
        "tax": 2.2,
        "gross": 12.2,
    },
]
