"""Why an order is where it is: a code and parameters, stored as JSON that pages render in the
reader's language, and in English for logs (rows from before migration 0008: only that)."""

from collections.abc import Callable

from flask_babel import force_locale, ngettext, pgettext
from flask_babel import gettext as _

# An order's timeline and status reasons.
CREATED = "created"
SENT_BY_CUSTOMER = "sent_by_customer"
CANCELLED_BY_CUSTOMER = "cancelled_by_customer"
REGISTERED = "registered"
PROVIDER_REPORTS = "provider_reports"
DONE_AFTER_CANCEL = "done_after_cancel"
CANCELLED_AFTER_CANCEL = "cancelled_after_cancel"
FAILED_AFTER_CANCEL = "failed_after_cancel"
NOT_REACHED = "not_reached"
NOT_TAKEN = "not_taken"  # an older wording of NOT_REACHED, found in old rows only
REJECTED = "rejected"
REPEAT_REFUSED = "repeat_refused"
UNCONFIRMED_RETRYING = "unconfirmed_retrying"
RETRYING = "retrying"
CONFIRMED_REGISTERED = "confirmed_registered"
CONFIRMED_NOT_REGISTERED = "confirmed_not_registered"
FOUND_AT_PROVIDER = "found_at_provider"
NOT_AT_PROVIDER = "not_at_provider"
REGISTERED_LATE = "registered_late"
# Operators' notes.
SEND_RETRIED = "send_retried"
RECHECKED = "rechecked"
SEND_RESOLVED = "send_resolved"
ACKNOWLEDGED_AFTER_CANCEL = "acknowledged_after_cancel"
# What the order service answered, or why not (nested above, or an order's last failed check).
ANSWERED = "answered"
TIMED = "timed"
UNREACHABLE = "unreachable"
TIMEOUT = "timeout"
REQUEST_FAILED = "request_failed"
HTTP_STATUS = "http_status"
MISSING_FIELD = "missing_field"
INVALID_UUID = "invalid_uuid"
UNKNOWN_ORDER = "unknown_order"
REFUSED_HTTP = "refused_http"
NO_EXTERNAL_UUID = "no_external_uuid"


def provider_state(state: str) -> str:
    """A final state in the provider's words, translated when it is one of the usual ones."""
    usual = {
        "done": pgettext("provider state", "done"),
        "cancelled": pgettext("provider state", "cancelled"),
        "failed": pgettext("provider state", "failed"),
    }
    return usual.get(state, state)


def delay_text(seconds: float) -> str:
    """A retry's delay: `30 s` under two minutes, `5 min` from then on."""
    if seconds < 120:
        return _("%(num)d s", num=round(seconds))
    return _("%(num)d min", num=round(seconds / 60))


MESSAGES: dict[str, Callable[[dict], str]] = {
    CREATED: lambda a: _("Created"),
    SENT_BY_CUSTOMER: lambda a: _("Sent to processing by the customer"),
    CANCELLED_BY_CUSTOMER: lambda a: _("Cancelled by the customer"),
    REGISTERED: lambda a: _("Registered at the order service"),
    PROVIDER_REPORTS: lambda a: _(
        "The order service reports the order %(state)s.", state=provider_state(a["state"])
    ),
    DONE_AFTER_CANCEL: lambda a: _("The provider finished this order after it was cancelled here."),
    CANCELLED_AFTER_CANCEL: lambda a: _("The provider reports this order cancelled as well."),
    FAILED_AFTER_CANCEL: lambda a: _(
        "The provider reports this order failed after it was cancelled here."
    ),
    NOT_REACHED: lambda a: ngettext(
        "The order service could not be reached after %(num)d try: %(error)s Nothing was "
        "registered.",
        "The order service could not be reached after %(num)d tries: %(error)s Nothing was "
        "registered.",
        a["attempts"],
        error=a["error"],
    ),
    NOT_TAKEN: lambda a: ngettext(
        "The order service could not take the order after %(num)d try: %(error)s",
        "The order service could not take the order after %(num)d tries: %(error)s",
        a["attempts"],
        error=a["error"],
    ),
    REJECTED: lambda a: _("The order service rejected the order: %(error)s", **a),
    REPEAT_REFUSED: lambda a: _("The order service refused a repeated request: %(error)s", **a),
    UNCONFIRMED_RETRYING: lambda a: _(
        "The provider has not confirmed this order yet; we keep asking with the same request "
        "(next try in %(delay)s). Last answer: %(error)s",
        delay=delay_text(a["delay_seconds"]),
        error=a["error"],
    ),
    RETRYING: lambda a: _(
        "Not registered yet. Retrying in %(delay)s: %(error)s",
        delay=delay_text(a["delay_seconds"]),
        error=a["error"],
    ),
    CONFIRMED_REGISTERED: lambda a: _(
        "Confirmed with the provider by an operator: registered as %(external_uuid)s", **a
    ),
    CONFIRMED_NOT_REGISTERED: lambda a: _(
        "The provider confirmed to an operator that it has no such order; send it again."
    ),
    FOUND_AT_PROVIDER: lambda a: _("Registered at the order service (confirmed by our staff)"),
    NOT_AT_PROVIDER: lambda a: _(
        "The order service did not register this order. You can send it again."
    ),
    REGISTERED_LATE: lambda a: _(
        "The order service registered this order as %(external_uuid)s after it had been "
        "settled here; our team is checking it.",
        **a,
    ),
    SEND_RETRIED: lambda a: _("Send retried now by an operator"),
    RECHECKED: lambda a: _("Status re-checked by an operator: %(answer)s", **a),
    SEND_RESOLVED: lambda a: _("Send resolved by an operator: %(note)s", **a),
    ACKNOWLEDGED_AFTER_CANCEL: lambda a: _(
        "Finished after the cancel: acknowledged by an operator: %(note)s", **a
    ),
    ANSWERED: lambda a: _(
        "the order service answered “%(state)s”", state=provider_state(a["state"])
    ),
    TIMED: lambda a: _("%(answer)s (%(ms)s ms)", **a),
    UNREACHABLE: lambda a: _("Cannot reach the order service: %(detail)s", **a),
    TIMEOUT: lambda a: _("The order service did not answer in time."),
    REQUEST_FAILED: lambda a: _("Request to the order service failed: %(detail)s", **a),
    HTTP_STATUS: lambda a: _("The order service answered HTTP %(status)s.", **a),
    MISSING_FIELD: lambda a: _("The order service answered without a %(field)s.", **a),
    INVALID_UUID: lambda a: _("The order service answered with an invalid uuid."),
    UNKNOWN_ORDER: lambda a: _("The order service does not know order %(external_uuid)s.", **a),
    REFUSED_HTTP: lambda a: _("The order service refused the order (HTTP %(status)s).", **a),
    NO_EXTERNAL_UUID: lambda a: _("The order has no external uuid."),
}


class Reason:
    """A code from MESSAGES and its parameters, e.g.
    `Reason(RECHECKED, answer=Reason(ANSWERED, state="done"))`."""

    def __init__(self, code: str, **args):
        if code not in MESSAGES:
            raise ValueError(f"unknown reason code {code!r}")
        self.code = code
        self.args = args

    def as_json(self) -> dict:
        return {"code": self.code, "args": {k: as_json(v) for k, v in self.args.items()}}

    def english(self) -> str:
        """The wording kept in the text columns and logs, whatever the reader's language."""
        with force_locale("en"):
            return render(self.as_json())

    def __repr__(self) -> str:
        return f"Reason({self.code!r}, {self.args!r})"


def as_json(value):
    return value.as_json() if isinstance(value, Reason) else value


def english(reason: "Reason | str | None") -> str | None:
    """A reason's English wording; free text is its own wording."""
    return reason.english() if isinstance(reason, Reason) else reason


def localized(reason: "Reason | str | None") -> str | None:
    """A reason in the current language; free text as it is."""
    return render(reason.as_json()) if isinstance(reason, Reason) else reason


def columns(reason: "Reason | str | None") -> tuple[str | None, dict | None]:
    """What to store: (its English wording, its code as JSON or None for text)."""
    return english(reason), as_json(reason) if isinstance(reason, Reason) else None


def is_coded(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("code"), str)


def render(coded: dict | None) -> str | None:
    """A stored reason in the current language; None if it has no code we know."""
    if not is_coded(coded) or coded["code"] not in MESSAGES:
        return None
    args = {name: shown(value) for name, value in (coded.get("args") or {}).items()}
    try:
        return MESSAGES[coded["code"]](args)
    except (KeyError, TypeError, ValueError):
        return None  # parameters that do not fit the message: show the stored text instead


def shown(value):
    return (render(value) or "") if is_coded(value) else value


# What the customer did, as their own pages say it to them.
OWN_WORDS: dict[str, Callable[[], str]] = {
    SENT_BY_CUSTOMER: lambda: _("Sent to processing by you"),
    CANCELLED_BY_CUSTOMER: lambda: _("Cancelled by you"),
}


def own_reason_filter(coded: dict | None, text: str | None = None) -> str:
    """`{{ event.reason_coded|own_reason(event.reason) }}`: on the customer's own pages, what
    they did is said to them ("Cancelled by you"); the rest as `reason` says it."""
    if is_coded(coded) and coded["code"] in OWN_WORDS:
        return OWN_WORDS[coded["code"]]()
    return reason_filter(coded, text)


def reason_filter(coded: dict | None, text: str | None = None) -> str:
    """`{{ event.reason_coded|reason(event.reason) }}`: the coded reason, else the text."""
    return render(coded) or text or ""
