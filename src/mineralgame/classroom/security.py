"""Secrets of a classroom session: join codes, facilitator secrets and seat tokens.

* A **join code** is six characters from an alphabet without look-alikes (no ``0 O 1 I L``),
  easy to read off a projector and type on a phone.
* The **facilitator secret** and every **seat token** are long random strings
  (:func:`secrets.token_urlsafe`). The database keeps only their SHA-256 digests, so a copy of
  the database does not let anyone act as a seat or as the facilitator; checks compare
  digests in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def new_join_code() -> str:
    """Return a random six-character join code (no ambiguous characters)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: object) -> str | None:
    """Return a join code as typed (spaces, dashes and case forgiven), or None if malformed."""
    if not isinstance(text, str):
        return None
    code = re.sub(r"[\s-]", "", text).upper()
    return code if CODE_RE.match(code) else None


def new_secret() -> str:
    """Return a new random secret (facilitator secret or seat token)."""
    return secrets.token_urlsafe(24)


def digest(secret: str) -> str:
    """Return the SHA-256 hex digest under which a secret is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(secret: object, stored_digest: str) -> bool:
    """Whether a presented secret matches a stored digest (constant time; False if malformed)."""
    if not isinstance(secret, str) or not TOKEN_RE.match(secret):
        return False
    return hmac.compare_digest(digest(secret), stored_digest)
