"""Digest answers as RFC 7616 computes them; challenges taken up, stale nonces renewed."""

from __future__ import annotations

import re

import pytest

from kg.http_auth import AuthScheme, Credentials, _digest, _DigestState, parse_challenges

RFC_CHALLENGE = (
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={algorithm}, '
    'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", '
    'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
)
CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


@pytest.mark.parametrize(
    ("algorithm", "response"),
    [  # RFC 7616, section 3.9.1
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_digest_response_is_the_rfc_7616_example(algorithm: str, response: str) -> None:
    (challenge,) = parse_challenges(RFC_CHALLENGE.format(algorithm=algorithm))
    header = _digest("Mufasa", "Circle of Life", "GET", "http://www.example.org/dir/index.html",
                     _DigestState(challenge, 1), cnonce=CNONCE)
    assert f'response="{response}"' in header
    assert 'uri="/dir/index.html"' in header and "nc=00000001" in header and "qop=auth," in header


def test_a_challenge_is_answered_with_a_growing_nonce_count_and_a_stale_one_renewed() -> None:
    creds = Credentials("kgpush", "secret")
    url = "http://h/sparql-graph-crud-auth?graph=x"
    assert creds.probe_needed(url)
    creds.probed(url, 'Digest realm="SPARQL", nonce="n1", qop="auth", algorithm="MD5"')
    first, second = creds.header("PUT", url), creds.header("PUT", url)
    assert first and second and "nc=00000001" in first and "nc=00000002" in second
    assert not creds.challenged(url, 'Digest realm="SPARQL", nonce="n2", stale="false"')
    assert creds.challenged(url, 'Digest realm="SPARQL", nonce="n3", qop="auth", stale="true"')
    renewed = creds.header("PUT", url)
    assert renewed and 'nonce="n3"' in renewed and re.search(r"nc=00000001", renewed)


def test_auto_picks_digest_when_offered_beside_basic_and_basic_alone_otherwise() -> None:
    both = Credentials("ann", "pw")
    both.probed("http://h/a", 'Basic realm="x", Digest realm="x", nonce="n"')
    assert (both.header("POST", "http://h/a") or "").startswith("Digest ")
    basic = Credentials("ann", "pw")
    basic.probed("http://h/a", 'Basic realm="x"')
    assert basic.header("POST", "http://h/a") == "Basic YW5uOnB3"
    forced = Credentials("ann", "pw", scheme=AuthScheme.BASIC)
    assert not forced.probe_needed("http://h/a")
    assert forced.header("POST", "http://h/a") == "Basic YW5uOnB3"
