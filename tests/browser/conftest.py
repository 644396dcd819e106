"""Browser tests: a real server (gunicorn, production settings) on a database of its own,
loaded with the demo content, driven by Debian's Chromium through Playwright."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

# The suite shares two cores with the server it drives (and, in CI, with the other database's
# run): what a reader sees may take longer than Playwright's default 5 seconds to appear.
expect.set_options(timeout=20_000)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
EDITOR_PASSWORD = "browser-test-editor-password"  # noqa: S105


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp_dir):
    """A database for the server alone: a new PostgreSQL database when the suite runs on
    PostgreSQL, a SQLite file otherwise."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp_dir / 'browser.sqlite3'}", None
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"diethnos_browser_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", (base, name)


def _drop(database):
    import psycopg

    base, name = database
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Site:
    def __init__(self, url, env):
        self.url = url
        self.env = env

    def manage(self, *args, input=None):
        """Run a management command against the server's database."""
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def shell(self, code):
        return self.manage("shell", "-c", code)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    tmp_dir = tmp_path_factory.mktemp("site")
    database_url, database = _database_url(tmp_dir)
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "diethnos.settings",
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "browser-tests-only",
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_STATIC_MANIFEST": "1",
        "DJANGO_SERVE_MEDIA": "1",
        "MEDIA_ROOT": str(tmp_dir / "media"),
        "SITE_URL": f"http://localhost:{port}",
        "DJANGO_SUPERUSER_PASSWORD": EDITOR_PASSWORD,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_dir / "mail"),
    }
    env.pop("REDIS_URL", None)
    site = Site(f"http://localhost:{port}", env)
    site.mail_dir = tmp_dir / "mail"
    site.media_root = tmp_dir / "media"
    for command in (
        ["collectstatic", "--no-input", "-v", "0"],
        ["migrate", "--no-input", "-v", "0"],
        ["load_demo"],
        ["ensure_editor"],
    ):
        site.manage(*command)
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "diethnos.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    # The task worker sends the e-mail (invitations, password resets), as in production.
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "db_worker", "--interval", "0.5", "--no-reload", "-v", "0"],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{site.url}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        yield site
    finally:
        for process in (worker, server):
            process.terminate()
            process.wait(timeout=10)
        if database:
            _drop(database)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site):
    # bypass_csp lets the tests inject axe-core; the site's own pages need no exemption.
    context = browser.new_context(base_url=site.url, bypass_csp=True)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def axe_violations(page, exclude=()):
    """Run axe-core (WCAG 2.2 A and AA rules) on the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (exclude) => await axe.run({exclude: exclude}, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})""",
        list(exclude),
    )
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in result["violations"]
    ]


def sign_in_to_admin(page, username="editor", password=EDITOR_PASSWORD):
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
