"""HTTP authentication for remote stores: Bearer, Basic and Digest (RFC 7616), from the environment.

Credentials never come from arguments (they would show in shell history and process lists):

- ``KG_ENDPOINT_TOKEN`` sends ``Authorization: Bearer ...`` with every request;
- ``KG_ENDPOINT_USER`` and ``KG_ENDPOINT_PASSWORD`` send Basic or Digest, as ``KG_ENDPOINT_AUTH``
  says: ``basic`` (sent with every request, unasked), ``digest``, or ``auto`` (the default: the
  scheme the server asks for in its ``401`` challenge, Digest when it offers both).

Digest is answered *before* the request, with the server's last challenge and a growing nonce
count: Virtuoso (``/sparql-auth``, ``/sparql-graph-crud-auth``) answers an unauthenticated request
with ``401`` and closes the connection without reading the body, so a push request of megabytes
that waited to be challenged would die with a broken pipe. A bodiless ``GET`` to the same URL
fetches the first challenge; a ``stale=true`` challenge later (an expired nonce) is taken up and the
request sent again.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from kg.errors import UsageError

__all__ = ["ENV_AUTH", "AuthScheme", "Challenge", "Credentials", "parse_challenges"]

ENV_AUTH = "KG_ENDPOINT_AUTH"
_ENV_USER = "KG_ENDPOINT_USER"
_ENV_PASSWORD = "KG_ENDPOINT_PASSWORD"  # noqa: S105 - the variable's name, not a password
_ENV_TOKEN = "KG_ENDPOINT_TOKEN"  # noqa: S105 - the variable's name, not a token
_HASHES = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}
_PARAM = re.compile(r'([A-Za-z][\w-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]+)')


class AuthScheme(StrEnum):
    """How user and password are sent (``$KG_ENDPOINT_AUTH``)."""

    AUTO = "auto"
    BASIC = "basic"
    DIGEST = "digest"


@dataclass(frozen=True, slots=True)
class Challenge:
    """One ``WWW-Authenticate`` challenge: its scheme (lower case) and parameters."""

    scheme: str
    params: Mapping[str, str]

    @property
    def stale(self) -> bool:
        """Whether the server refused only an expired nonce (the password was right)."""
        return self.params.get("stale", "").lower() == "true"


def parse_challenges(header: str) -> list[Challenge]:
    """Read the challenges of a ``WWW-Authenticate`` header.

    >>> [c.scheme for c in parse_challenges('Basic realm="a", Digest realm="b", nonce="n1"')]
    ['basic', 'digest']
    >>> parse_challenges('Digest realm="SPARQL", qop="auth", stale="false"')[0].params["qop"]
    'auth'
    """
    found: list[Challenge] = []
    for token in re.split(r",?\s*(?=\b(?:Basic|Digest|Bearer|Negotiate)\b)", header.strip()):
        scheme, _, rest = token.strip().partition(" ")
        if not scheme:
            continue
        params = {}
        for name, value in _PARAM.findall(rest):
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            params[name.lower()] = value
        found.append(Challenge(scheme.lower(), params))
    return found


@dataclass(slots=True)
class _DigestState:
    challenge: Challenge
    count: int = 0


@dataclass(slots=True)
class Credentials:
    """What to authenticate with, and the Digest challenges answered so far (per URL path)."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    scheme: AuthScheme = AuthScheme.AUTO
    _digest: dict[tuple[str, str], _DigestState] = field(default_factory=dict, repr=False)
    _basic_ok: set[tuple[str, str]] = field(default_factory=set, repr=False)
    _probed: set[tuple[str, str]] = field(default_factory=set, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """Read the credentials from ``KG_ENDPOINT_*`` variables.

        >>> Credentials.from_env({"KG_ENDPOINT_USER": "ann", "KG_ENDPOINT_AUTH": "digest"}).scheme
        <AuthScheme.DIGEST: 'digest'>

        Raises:
            UsageError: ``KG_ENDPOINT_AUTH`` is not ``auto``, ``basic`` or ``digest``.
        """
        env = os.environ if environ is None else environ
        raw = (env.get(ENV_AUTH) or "auto").strip().lower()
        try:
            scheme = AuthScheme(raw)
        except ValueError as exc:
            raise UsageError(f"{ENV_AUTH} must be auto, basic or digest, not {raw!r}") from exc
        return cls(
            env.get(_ENV_USER) or None,
            env.get(_ENV_PASSWORD) or None,
            env.get(_ENV_TOKEN) or None,
            scheme,
        )

    @property
    def needs_probe(self) -> bool:
        """Whether a user and password are set that may have to answer a Digest challenge."""
        return self.token is None and self.user is not None and self.scheme != AuthScheme.BASIC

    def probe_needed(self, url: str) -> bool:
        """Whether ``url`` should first be probed with a bodiless request for a challenge."""
        key = _key(url)
        return (
            self.needs_probe
            and key not in self._probed
            and key not in self._digest
            and key not in self._basic_ok
        )

    def probed(self, url: str, www_authenticate: str | None) -> None:
        """Take the answer to a probe: its challenge, or none (the URL is open, or wants Basic)."""
        self._probed.add(_key(url))
        if www_authenticate:
            self.challenged(url, www_authenticate)

    def challenged(self, url: str, www_authenticate: str) -> bool:
        """Take a ``401`` challenge; return whether sending again may now succeed.

        True for a first challenge this URL gets, or a ``stale`` Digest nonce; false when the
        credentials were already answered to a fresh challenge (they are wrong) or none fit.
        """
        if self.token is not None or self.user is None:
            return False
        key = _key(url)
        offers = {c.scheme: c for c in parse_challenges(www_authenticate)}
        digest = offers.get("digest")
        if digest is not None and self.scheme != AuthScheme.BASIC:
            before = self._digest.get(key)
            self._digest[key] = _DigestState(digest)
            return before is None or digest.stale
        if "basic" in offers and self.scheme != AuthScheme.DIGEST and key not in self._basic_ok:
            self._basic_ok.add(key)
            return True
        return False

    def answers_digest(self, url: str) -> bool:
        """Whether requests to ``url`` carry a Digest answer (to a challenge that may expire)."""
        return _key(url) in self._digest

    def header(self, method: str, url: str) -> str | None:
        """Return the ``Authorization`` value for a request, if any is due."""
        if self.token is not None:
            return f"Bearer {self.token}"
        if self.user is None:
            return None
        key = _key(url)
        state = self._digest.get(key)
        if state is not None:
            state.count += 1
            return _digest(self.user, self.password or "", method, url, state)
        if self.scheme == AuthScheme.BASIC or key in self._basic_ok or key in self._probed:
            pair = f"{self.user}:{self.password or ''}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return None


def _key(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.netloc, parts.path


def _digest(
    user: str, password: str, method: str, url: str, state: _DigestState, cnonce: str | None = None
) -> str:
    """Answer a Digest challenge for one request (RFC 7616, qop ``auth`` or none)."""
    params = state.challenge.params
    algorithm = params.get("algorithm", "MD5")
    base, sess = algorithm.upper().removesuffix("-SESS"), algorithm.upper().endswith("-SESS")
    hasher = _HASHES.get(base)
    if hasher is None or hasher not in hashlib.algorithms_available:
        raise UsageError(f"the server asks for Digest with {algorithm}, which kg does not speak")

    def h(text: str) -> str:
        return hashlib.new(str(hasher), text.encode("utf-8")).hexdigest()

    parts = urlsplit(url)
    uri = parts.path + (f"?{parts.query}" if parts.query else "")
    realm, nonce = params.get("realm", ""), params.get("nonce", "")
    cnonce = cnonce or os.urandom(8).hex()
    nc = f"{state.count:08x}"
    ha1 = h(f"{user}:{realm}:{password}")
    if sess:
        ha1 = h(f"{ha1}:{nonce}:{cnonce}")
    ha2 = h(f"{method}:{uri}")
    qops = [q.strip() for q in params.get("qop", "").split(",") if q.strip()]
    fields = {"username": user, "realm": realm, "nonce": nonce, "uri": uri}
    if "auth" in qops:
        fields["response"] = h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
    else:
        fields["response"] = h(f"{ha1}:{nonce}:{ha2}")
    quoted = ", ".join(f'{k}="{v}"' for k, v in fields.items())
    extra = f", algorithm={algorithm}"
    if "auth" in qops:
        extra += f', qop=auth, nc={nc}, cnonce="{cnonce}"'
    if "opaque" in params:
        extra += f', opaque="{params["opaque"]}"'
    return f"Digest {quoted}{extra}"
