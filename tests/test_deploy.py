"""The production setup, for real: gunicorn with deploy/gunicorn.conf.py behind nginx with
deploy/nginx.conf, each started by the test on free ports and stopped by it."""

import contextlib
import http.client
import socket
import ssl
import time

import pytest

from .servers import NGINX, OPENSSL, Gunicorn, Nginx, manage, require, site_environment

WORKERS, THREADS = 2, 4
EDITOR_PASSWORD = "deploy-test-editor-password"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    require(NGINX)
    require(OPENSSL)
    directory = tmp_path_factory.mktemp("deploy")
    site_root = directory / "srv"
    (site_root / "staticfiles" / "css").mkdir(parents=True)
    (site_root / "staticfiles" / "css" / "check.css").write_text("body { color: black; }\n")
    (site_root / "media" / "renditions").mkdir(parents=True)
    (site_root / "media" / "renditions" / "check.txt").write_text("an upload\n")
    env = site_environment(
        directory,
        MEDIA_ROOT=str(site_root / "media"),
        DJANGO_TRUSTED_PROXIES="127.0.0.1",
        DJANGO_SUPERUSER_PASSWORD=EDITOR_PASSWORD,
        GUNICORN_WORKERS=str(WORKERS),
        GUNICORN_THREADS=str(THREADS),
    )
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "ensure_editor")
    nginx_dir = directory / "nginx"
    nginx_dir.mkdir()
    gunicorn = Gunicorn(env)
    # One process, to show what its threads do without the proxy (all clients reach it).
    lone = Gunicorn({**env, "GUNICORN_WORKERS": "1"})
    try:
        nginx = Nginx(nginx_dir, gunicorn.port, site_root)
    except BaseException:
        gunicorn.stop()
        lone.stop()
        raise
    ports = {"https": nginx.https_port, "http": nginx.http_port, "lone": lone.port}
    for _ in range(2 * WORKERS):  # each process's first requests load the site's code
        request(ports["https"], "GET", "/accounts/login/")
        request(ports["lone"], "GET", "/accounts/login/", tls=False)
    yield ports
    nginx.stop()
    gunicorn.stop()
    lone.stop()


def tls_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def connection(port, tls=True, source="127.0.0.1", timeout=5.0):
    if tls:
        return http.client.HTTPSConnection(
            "localhost", port, context=tls_context(), source_address=(source, 0), timeout=timeout
        )
    return http.client.HTTPConnection(
        "localhost", port, source_address=(source, 0), timeout=timeout
    )


def request(port, method, path, *, tls=True, source="127.0.0.1", headers=None, body=None):
    """One request; (status, headers, body)."""
    conn = connection(port, tls, source)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def healthz_seconds(port, tls=True, timeout=5.0):
    """How long /healthz takes to answer 200, or None when it does not within ``timeout``."""
    start = time.perf_counter()
    conn = connection(port, tls, timeout=timeout)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
    except TimeoutError:
        return None
    finally:
        conn.close()
    assert response.status == 200
    return time.perf_counter() - start


@contextlib.contextmanager
def slow_clients(count, port, tls=True):
    """``count`` clients that each announce a 100,000-byte POST body, send 3 bytes of it and
    then wait."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if tls:
                sock = tls_context().wrap_socket(sock, server_hostname="localhost")
            # With a CSRF cookie, and over HTTPS the Origin a browser sends, Django goes on to
            # read the body for the form's token.
            origin = b"Origin: https://localhost\r\n" if tls else b""
            sock.sendall(
                b"POST /accounts/login/ HTTP/1.1\r\nHost: localhost\r\n" + origin + b""
                b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 100000\r\n\r\nabc"
            )
            sockets.append(sock)
        time.sleep(0.5)  # let every request reach whatever will wait for its body
        yield
    finally:
        for sock in sockets:
            sock.close()


class TestSlowRequestBodies:
    def test_healthz_answers_at_once_through_the_proxy_while_many_slow_clients_send_bodies(
        self, deployment
    ):
        clients = 5 * WORKERS * THREADS
        with slow_clients(clients, deployment["https"]):
            seconds = healthz_seconds(deployment["https"])
            assert seconds is not None and seconds < 1.0
            status, _, _ = request(deployment["https"], "GET", "/accounts/login/")
            assert status == 200

    def test_a_gunicorn_process_serves_others_while_two_slow_clients_hold_two_threads(
        self, deployment
    ):
        with slow_clients(2, deployment["lone"], tls=False):
            seconds = healthz_seconds(deployment["lone"], tls=False)
            assert seconds is not None and seconds < 1.0

    def test_without_the_proxy_as_many_slow_clients_as_threads_stall_a_gunicorn_process(
        self, deployment
    ):
        with slow_clients(THREADS, deployment["lone"], tls=False):
            assert healthz_seconds(deployment["lone"], tls=False, timeout=2.0) is None
        # Once they give up, it serves again.
        time.sleep(0.5)
        seconds = healthz_seconds(deployment["lone"], tls=False)
        assert seconds is not None and seconds < 1.0


class TestTheProxy:
    def test_it_serves_static_files_itself_for_a_year(self, deployment):
        status, headers, body = request(deployment["https"], "GET", "/static/css/check.css")
        assert status == 200
        assert body == b"body { color: black; }\n"
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert headers["X-Content-Type-Options"] == "nosniff"

    def test_it_serves_uploads_itself_and_never_as_a_page(self, deployment):
        status, headers, body = request(deployment["https"], "GET", "/media/renditions/check.txt")
        assert status == 200
        assert body == b"an upload\n"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in headers["Content-Security-Policy"]

    def test_it_refuses_a_body_larger_than_an_image_upload_and_its_form(self, deployment):
        conn = connection(deployment["https"])
        conn.putrequest("POST", "/admin/reports/report/add/")
        conn.putheader("Content-Length", str(13 * 1024 * 1024))
        conn.endheaders()
        assert conn.getresponse().status == 413
        conn.close()

    def test_it_sends_plain_http_to_https(self, deployment):
        status, headers, _ = request(deployment["http"], "GET", "/reports/", tls=False)
        assert status == 301
        assert headers["Location"] == "https://localhost/reports/"

    def test_the_site_sees_https_and_the_public_host_through_it(self, deployment):
        status, headers, body = request(deployment["https"], "GET", "/healthz")
        assert status == 200
        # A sign-in is a CSRF-checked POST, which Django accepts over HTTPS only when the
        # Origin matches the scheme and host it was told by the proxy.
        assert sign_in(deployment["https"], "editor", EDITOR_PASSWORD) == 302


class TestSignInThrottleBehindTheProxy:
    """Each client connects from an address of its own (127.0.0.x), as on the Internet; the
    site sees nginx's address and believes nginx's X-Forwarded-For."""

    def test_a_stranger_guessing_the_editors_password_locks_out_only_the_stranger(self, deployment):
        port = deployment["https"]
        for _ in range(4):
            assert sign_in(port, "editor", "a-guess", source="127.0.0.2") == 200
        assert sign_in(port, "editor", "a-guess", source="127.0.0.2") == 429
        assert sign_in(port, "editor", EDITOR_PASSWORD, source="127.0.0.2") == 429
        assert sign_in(port, "editor", EDITOR_PASSWORD, source="127.0.0.3") == 302
        admin = "/admin/login/"
        assert sign_in(port, "editor", EDITOR_PASSWORD, path=admin, source="127.0.0.2") == 429
        assert sign_in(port, "editor", EDITOR_PASSWORD, path=admin, source="127.0.0.3") == 302

    def test_a_stranger_cannot_pass_for_the_editor_by_writing_x_forwarded_for(self, deployment):
        port, posing = deployment["https"], {"X-Forwarded-For": "127.0.0.5"}
        for _ in range(5):
            sign_in(port, "editor", "a-guess", source="127.0.0.4", headers=posing)
        assert sign_in(port, "editor", EDITOR_PASSWORD, source="127.0.0.4", headers=posing) == 429
        assert sign_in(port, "editor", EDITOR_PASSWORD, source="127.0.0.5") == 302


def sign_in(port, username, password, path="/accounts/login/", source="127.0.0.1", headers=None):
    """Sign in through the form at ``path`` from the client address ``source``; the status."""
    status, response_headers, body = request(port, "GET", path, source=source)
    assert status == 200
    cookie = response_headers["Set-Cookie"].split(";")[0]
    token = body.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    form = f"csrfmiddlewaretoken={token}&username={username}&password={password}"
    status, _, _ = request(
        port,
        "POST",
        path,
        source=source,
        headers={
            "Cookie": cookie,
            # The browser's origin on the standard port, the Host nginx passes on.
            "Origin": "https://localhost",
            "Content-Type": "application/x-www-form-urlencoded",
            **(headers or {}),
        },
        body=form,
    )
    return status
