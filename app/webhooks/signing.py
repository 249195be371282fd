"""Signatures to the Standard Webhooks specification: `webhook-id`, `webhook-timestamp` and
`webhook-signature`, a space-separated list of `v1,<base64 HMAC-SHA256>` over
`<id>.<timestamp>.<body>` with the secret's bytes (a `whsec_` secret is their base64)."""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secrets_: list[str], message_id: str, timestamp: int, body: str) -> dict:
    """The headers of one attempt, signed with each secret in use (two during a rotation)."""
    return {
        "content-type": "application/json",
        "user-agent": "ClickToMice-Webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, message_id, timestamp, body) for s in secrets_),
    }
