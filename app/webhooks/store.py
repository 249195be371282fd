"""The two statements each delivery attempt makes, one transaction each: the claim (the event
and its endpoint read as it is taken) and the record (the attempt, the event's new state and
the endpoint's health written together). One statement apiece keeps an attempt at two short
trips to Postgres, which matters when a sync batch brings hundreds at once."""

from sqlalchemy import text

CLAIM = text(
    """
    UPDATE webhook_events e
    SET claimed_until = now() + make_interval(secs => :lease)
    FROM webhook_endpoints p
    WHERE e.id = :event_id AND p.id = e.endpoint_id AND p.enabled
      AND e.state = 'pending'
      AND e.next_attempt_at <= now() + interval '1 second'
      AND (e.claimed_until IS NULL OR e.claimed_until < now())
    RETURNING e.id, e.endpoint_id, e.event_type, e.created_at, e.sequence, e.payload,
      e.attempts, p.url, p.secret, p.previous_secret, p.previous_secret_until
    """
)

# :delay is NULL when no attempt follows: the event is then delivered or failed (:state).
RECORD = text(
    """
    WITH attempt AS (
      INSERT INTO webhook_attempts
        (event_id, endpoint_id, attempted_at, outcome, status_code, latency_ms,
         response_start, error)
      VALUES (:event_id, :endpoint_id, now(), :outcome, :status_code, :latency_ms,
              :answer, :error)
    ), event AS (
      UPDATE webhook_events
      SET attempts = :attempts, claimed_until = NULL,
          state = CASE WHEN :delay IS NULL THEN :state ELSE 'pending' END,
          finished_at = CASE WHEN :delay IS NULL THEN now() END,
          next_attempt_at = now() + make_interval(secs => :delay)
      WHERE id = :event_id
    )
    UPDATE webhook_endpoints
    SET failing_since = CASE WHEN :delivered THEN NULL ELSE coalesce(failing_since, now()) END,
        enabled = enabled AND NOT (decided.stop),
        disabled_reason = CASE WHEN decided.stop THEN 'failing' ELSE disabled_reason END,
        disabled_error = CASE WHEN decided.stop THEN :described ELSE disabled_error END,
        disabled_at = CASE WHEN decided.stop THEN now() ELSE disabled_at END
    FROM (
      SELECT coalesce(NOT :delivered AND enabled
             AND failing_since <= now() - make_interval(secs => :disable_after), false) AS stop
      FROM webhook_endpoints WHERE id = :endpoint_id
    ) AS decided
    WHERE id = :endpoint_id
    RETURNING decided.stop
    """
)
