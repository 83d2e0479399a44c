"""``envaudit.rules.endpoint``: URL splitting, the request-target prediction and the custom
headers reading, on unbounded inputs (the real SDK's answers: test_endpoint_behaviour.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envaudit.rules.endpoint import is_local, parse_headers, predict, split

_PRINTABLE = st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=40)
_URLISH = st.builds(lambda scheme, host, path: f"{scheme}{host}{path}",
                    st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "", "//"]),
                    _PRINTABLE, _PRINTABLE)


@given(st.one_of(_URLISH, _PRINTABLE))
def test_split_matches_urlsplit(url: str) -> None:
    try:
        expected = urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket: split never raises
        split(url)
        return
    parts = split(url)
    assert (parts.scheme, parts.netloc, parts.path) == (expected.scheme, expected.netloc,
                                                        expected.path)
    assert (parts.query or "") == expected.query
    assert (parts.query is not None) == ("?" in url.split("#", 1)[0])


@given(st.one_of(_URLISH, st.text(max_size=60)))
def test_predict_never_raises(url: str) -> None:
    p = predict(url)
    assert (p.target is None) == (p.error is not None)
    if p.target is not None:
        assert p.target.endswith("/v1/messages")


@pytest.mark.parametrize("url, target", [
    ("https://gw.example.com", "/v1/messages"),
    ("https://gw.example.com/anthropic/v1", "/anthropic/v1/v1/messages"),
    ("https://gw.example.com/a?x=1", "/a?x=1/v1/messages"),
    ("https://gw.example.com/v1 ", "/v1%20/v1/messages"),
    ("https://gw.example.com ", "/v1/messages"),
])
def test_predict_examples(url: str, target: str) -> None:
    assert predict(url).target == target


@pytest.mark.parametrize("host, local", [("localhost", True), ("127.0.0.2", True),
                                         ("::1", True), ("api.localhost", True),
                                         ("host.docker.internal", True), ("10.0.0.1", False),
                                         ("gw.example.com", False)])
def test_is_local(host: str, local: bool) -> None:
    assert is_local(host) is local


def test_split_host() -> None:
    assert split("http://u:p@[::1]:8080/x").host == "::1"
    assert split("https://User@GW.Example.com:443").host == "gw.example.com"


@given(st.text(max_size=200))
def test_parse_headers_never_raises(value: str) -> None:
    headers = parse_headers(value)
    assert len(headers) == value.count("\n") + 1
    for h in headers:
        assert h.name is None or ":" not in h.name


@pytest.mark.parametrize("url, shown", [
    ("https://u:pw@gw.example.com/a?key=sk-ant-FAKE", "https://u:***@gw.example.com/a?…"),
    ("/a?key=sk-ant-FAKE/v1/messages", "/a?…/v1/messages"),
    ("https://gw.example.com/a", "https://gw.example.com/a"),
])
def test_shown_url_hides_passwords_and_queries(url: str, shown: str) -> None:
    from envaudit.rules.endpoint import shown_url

    assert shown_url(url) == shown
