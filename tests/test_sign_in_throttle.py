"""Wrong passwords lock out whoever typed them, not the account's owner, behind a proxy or not;
and the address a client is known by is the one a trusted proxy saw, never one it claims."""

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from diethnos.client_address import client_address, parse_networks

from .factories import EditorFactory

PASSWORD = "a-long-test-password"
PROXY = "10.0.0.1"
OWNER = "198.51.100.20"
STRANGER = "203.0.113.7"
SIGN_IN_PAGES = ["login", "admin:login"]


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = parse_networks(PROXY)


@pytest.fixture
def editor(db):
    return EditorFactory(username="editor")


def sign_in(page, password, *, remote, forwarded_for=None):
    """A sign-in as ``editor`` on ``page``, in a browser of its own, from the connection address
    ``remote`` (the proxy's, when it sends ``forwarded_for``)."""
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post(reverse(page), {"username": "editor", "password": password}, **headers)


def fail_until_locked(settings, page, **where):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(page, "a-guess", **where).status_code == 200
    assert sign_in(page, "a-guess", **where).status_code == 429


@pytest.mark.parametrize("page", SIGN_IN_PAGES)
class TestBehindAProxy:
    def test_a_stranger_guessing_the_editors_password_locks_out_only_the_stranger(
        self, settings, behind_proxy, editor, page
    ):
        fail_until_locked(settings, page, remote=PROXY, forwarded_for=STRANGER)
        # The stranger stays locked out, even with the right password.
        assert sign_in(page, PASSWORD, remote=PROXY, forwarded_for=STRANGER).status_code == 429
        # The editor, at another address behind the same proxy, signs in.
        response = sign_in(page, PASSWORD, remote=PROXY, forwarded_for=OWNER)
        assert response.status_code == 302

    def test_a_stranger_claiming_the_editors_address_still_locks_out_only_the_stranger(
        self, settings, behind_proxy, editor, page
    ):
        # The proxy appends the address it saw to what the stranger wrote.
        claimed = f"{OWNER}, {STRANGER}"
        fail_until_locked(settings, page, remote=PROXY, forwarded_for=claimed)
        assert sign_in(page, PASSWORD, remote=PROXY, forwarded_for=OWNER).status_code == 302

    def test_a_client_bypassing_the_proxy_is_known_by_its_own_address(
        self, settings, behind_proxy, editor, page
    ):
        fail_until_locked(settings, page, remote=STRANGER, forwarded_for=OWNER)
        assert sign_in(page, PASSWORD, remote=OWNER).status_code == 302
        assert sign_in(page, PASSWORD, remote=STRANGER, forwarded_for=OWNER).status_code == 429


@pytest.mark.parametrize("page", SIGN_IN_PAGES)
def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(settings, editor, page):
    settings.TRUSTED_PROXIES = []
    fail_until_locked(settings, page, remote=STRANGER, forwarded_for=OWNER)
    assert sign_in(page, PASSWORD, remote=STRANGER, forwarded_for="192.0.2.99").status_code == 429
    assert sign_in(page, PASSWORD, remote=OWNER, forwarded_for=STRANGER).status_code == 302


def address_of(remote, forwarded_for=None, trusted=PROXY):
    """The client address of a request from ``remote`` when ``trusted`` are the proxies."""
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    with override_settings(TRUSTED_PROXIES=parse_networks(trusted)):
        return client_address(RequestFactory().get("/", **headers))


@pytest.mark.parametrize(
    ("remote", "forwarded_for", "trusted", "expected"),
    [
        (STRANGER, None, "", STRANGER),
        (STRANGER, OWNER, "", STRANGER),
        (STRANGER, OWNER, PROXY, STRANGER),
        (PROXY, None, PROXY, PROXY),
        (PROXY, "", PROXY, PROXY),
        (PROXY, STRANGER, PROXY, STRANGER),
        (PROXY, f"{OWNER}, {STRANGER}", PROXY, STRANGER),
        (PROXY, f"not-an-address, {STRANGER}", PROXY, STRANGER),
        (PROXY, f"{STRANGER},10.0.0.2", "10.0.0.0/8", STRANGER),
        (PROXY, f"{STRANGER}, 10.0.0.2", PROXY, "10.0.0.2"),
        (PROXY, "10.0.0.3, 10.0.0.2", "10.0.0.0/8", "10.0.0.3"),
        (PROXY, f"{STRANGER}, garbage", PROXY, PROXY),
        ("::1", "2001:db8::5", "127.0.0.1, ::1", "2001:db8::5"),
        ("127.0.0.1", "2001:db8::5", "127.0.0.1, ::1", "2001:db8::5"),
    ],
)
def test_the_client_address_is_the_nearest_one_a_trusted_proxy_did_not_write(
    remote, forwarded_for, trusted, expected
):
    assert address_of(remote, forwarded_for, trusted) == expected


PROXIES = ipaddress.ip_network("10.0.0.0/8")
addresses = st.ip_addresses().filter(lambda a: a.version != 4 or a not in PROXIES).map(str)
anything = st.one_of(addresses, st.text(st.characters(exclude_characters=","), max_size=20))


@given(
    claimed=st.lists(anything, max_size=4),
    client=addresses,
    proxies=st.lists(st.ip_addresses(network=PROXIES).map(str), max_size=3),
)
def test_whatever_a_client_writes_it_is_known_by_the_address_the_proxies_saw(
    claimed, client, proxies
):
    chain = ", ".join([*claimed, client, *proxies])
    assert address_of(PROXY, chain, str(PROXIES)) == client


def test_a_mistyped_trusted_proxy_is_refused_at_start():
    with pytest.raises(ImproperlyConfigured, match="not-an-ip"):
        parse_networks("127.0.0.1, not-an-ip")
