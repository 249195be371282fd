"""Names the console shows for the codes it lists: provider calls' and sync runs' outcomes."""

from flask_babel import lazy_gettext as _l

from app.ops import bp

CALL_OUTCOMES = {
    "registered": _l("registered"),
    "rejected": _l("rejected"),
    "retried": _l("will be retried"),
    "unknown": _l("outcome unknown"),
    "answered": _l("answered"),
    "not_found": _l("not found"),
    "failed": _l("failed"),
    "unreachable": _l("unreachable"),
    "skipped": _l("skipped"),
}
RUN_OUTCOMES = {
    "done": _l("done"),
    "locked": _l("another run was going"),
    "error": _l("error"),
    "paused": _l("paused"),
    "busy": _l("busy"),
    "fanned_out": _l("split into jobs"),
    "lock_lost": _l("lock lost"),
    "provider_down": _l("provider down"),
    "rate_limited": _l("asked to wait"),
}


OUTCOMES = {"call": CALL_OUTCOMES, "run": RUN_OUTCOMES}


@bp.app_template_filter("outcome")
def outcome_label(outcome: str, kind: str) -> str:
    """`{{ call.outcome|outcome("call") }}`: the outcome's name in the reader's language; an
    unknown one as it is, made readable."""
    return str(OUTCOMES[kind].get(outcome, outcome.replace("_", " ")))
