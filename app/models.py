"""Database models: users, their orders, the items ordered and each order's status history."""

import uuid
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, false, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import BigInteger, Boolean, DateTime, Integer, Numeric, String, Text, Uuid

from app.extensions import db
from app.passwords import hash_password, password_matches

Money = Numeric(12, 2)
UtcDateTime = DateTime(timezone=True)


class OrderStatus:
    DRAFT = "draft"
    SENDING = "sending"
    IN_PROCESSING = "in_processing"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"
    LABELS = {
        DRAFT: _l("Draft"),
        SENDING: _l("Sending…"),
        IN_PROCESSING: _l("In processing"),
        DONE: _l("Done"),
        CANCELLED: _l("Cancelled"),
        FAILED: _l("Failed"),
    }
    CHANGING = (SENDING, IN_PROCESSING)  # a job or the provider may still change them


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_operator: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    locale: Mapped[str | None] = mapped_column(String(8))  # chosen language; None: the browser's
    # The zone the browser reported (app/time_zones.py); None: not known yet, UTC meanwhile.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # Bumped by a trigger on every change to the user's orders (migration 0007).
    orders_version: Mapped[int] = mapped_column(BigInteger, server_default="0")

    # The login this object was loaded for (app.auth.sessions): the cookie holds it, not the id.
    session_token = None
    session_expires_at = None  # when that login ends (time.time())

    def get_session_token(self) -> str | None:
        return self.session_token

    def account(self) -> "User":
        """Itself (app.auth.sessions.SessionUser, the user of other requests, loads it)."""
        return self

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_user_created", "user_id", text("created_at DESC"), text("id DESC")),
        Index(
            "ix_orders_due_for_check",
            "id",
            "next_check_at",
            postgresql_where=text("status = 'in_processing' OR follow_provider"),
        ),
        Index("ix_orders_sending", "updated_at", postgresql_where=text("status = 'sending'")),
        Index(
            "ix_orders_check_failures",
            "check_failures",
            postgresql_where=text("status = 'in_processing' AND check_failures > 0"),
        ),
        CheckConstraint(
            "status IN ('draft', 'sending', 'in_processing', 'done', 'cancelled', 'failed')",
            name="ck_orders_status",
        ),
        CheckConstraint("price >= 0 AND tax >= 0 AND gross >= 0", name="ck_orders_money"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.DRAFT)
    price: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    tax: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    gross: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    external_uuid: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)
    # Each reason is kept in English and as a code with parameters: see app/reasons.py.
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_reason_coded: Mapped[dict | None] = mapped_column(JSONB)
    # Every edit of a draft adds one, so each content has its own Idempotency-Key and the
    # provider never answers an edited order with its copy of an older one.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    send_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    send_claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Since when the provider may have the order without our knowing (a timeout, a 5xx or a
    # dropped connection after sending): never a draft again until it settles.
    send_unknown_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Flagged for a person: unknown too long, or an answer retrying cannot change.
    needs_attention_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_check_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    check_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_check_error: Mapped[str | None] = mapped_column(Text)
    last_check_error_coded: Mapped[dict | None] = mapped_column(JSONB)
    # After a cancel here: the provider's final word, and whether the sync still asks for it.
    after_cancel_state: Mapped[str | None] = mapped_column(String(20))
    # An operator read that word and said so (with a note on the timeline): no longer flagged.
    after_cancel_acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    follow_provider: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime, server_default=func.now(), onupdate=func.now()
    )

    user: Mapped[User] = relationship()
    items: Mapped[list["OrderItem"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.position"
    )
    events: Mapped[list["OrderEvent"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id"
    )

    @property
    def send_problem(self) -> str | None:
        """Why the last send was given back to draft, or why it is being retried."""
        retrying = self.status == OrderStatus.SENDING and self.send_attempts
        return self.status_reason if self.status == OrderStatus.DRAFT or retrying else None

    @property
    def idempotency_key(self) -> str:
        """The key every registration request of this content carries."""
        return f"{self.id}-r{self.revision}"

    @property
    def outcome_unknown(self) -> bool:
        return self.status == OrderStatus.SENDING and self.send_unknown_since is not None

    @property
    def needs_attention(self) -> bool:
        return self.status == OrderStatus.SENDING and self.needs_attention_since is not None

    @property
    def short_id(self) -> str:
        return str(self.id)[:8]


class OrderItem(db.Model):
    """A snapshot of one catalog service as it was when the order was built."""

    __tablename__ = "order_items"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    service_uuid: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    image: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal] = mapped_column(Money)
    tax: Mapped[Decimal] = mapped_column(Money)
    gross: Mapped[Decimal] = mapped_column(Money)

    order: Mapped[Order] = relationship(back_populates="items")


class OrderEvent(db.Model):
    """One status change of an order: from, to, when and why."""

    __tablename__ = "order_events"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)  # English; see app/reasons.py
    reason_coded: Mapped[dict | None] = mapped_column(JSONB)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @property
    def is_note(self) -> bool:
        """An operator's action that did not change the status (same status on both sides)."""
        return self.from_status == self.to_status

    @property
    def is_operator_note(self) -> bool:
        """Hidden from customers (the provider's word after a cancel is a note without actor)."""
        return self.is_note and self.actor_id is not None


class ProviderCall(db.Model):
    """A send attempt, or a status check worth keeping (failures, final answers, an operator's)."""

    __tablename__ = "provider_calls"
    __table_args__ = (Index("ix_provider_calls_order", "order_id", "id"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(20))
    answer: Mapped[str | None] = mapped_column(Text)  # English, or the provider's words
    answer_coded: Mapped[dict | None] = mapped_column(JSONB)  # see app/reasons.py
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())

    actor: Mapped[User | None] = relationship()


class UserSession(db.Model):
    """One login (app/auth/sessions.py): deleting the row ends it wherever the cookie went."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())


class ApiToken(db.Model):
    """A personal API token (app/api/tokens.py): only its SHA-256 is kept, never the secret."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The start of the secret (after its prefix), to tell tokens apart on the pages.
    hint: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(20))  # "read" or "read write"
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def can_write(self) -> bool:
        return "write" in self.scope.split()


class ApiIdempotencyKey(db.Model):
    """The first answer to a POST with an Idempotency-Key, kept per account for a day."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (Index("ix_api_idempotency_keys_created", "created_at"),)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    # None while the first request is being handled.
    status_code: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[dict | None] = mapped_column(JSONB)
    body: Mapped[str | None] = mapped_column(Text)
