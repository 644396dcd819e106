"""Real services started by tests on free ports of their own (never the machine's shared ones),
and stopped by them."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REDIS_SERVER = "/usr/bin/redis-server"


def require(program):
    """Skip the test when ``program`` is not installed (``make test`` installs it)."""
    import pytest

    if not Path(program).exists():
        pytest.skip(f"{program} is not installed: run `make service-deps`")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


class RedisServer:
    """A redis-server of the test's own, which saves its data when stopped and loads it again
    when started, as a production Redis with snapshots does."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        require(REDIS_SERVER)
        self.process = subprocess.Popen(  # noqa: S603
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--save",
                "3600 1",
                "--appendonly",
                "no",
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self):
        """Shut down (saving the data to disk, as on SIGTERM with snapshots configured)."""
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None

    def freeze(self):
        """Keep the server running but unresponsive, like a host that stopped answering."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    def keys(self, pattern="*"):
        import redis

        return redis.Redis.from_url(self.url).keys(pattern)


ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


def site_environment(directory: Path, **overrides):
    """The environment of a production server of the site (debug off) on a SQLite database of
    its own in ``directory``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "diethnos.settings",
        "DATABASE_URL": f"sqlite:///{directory / 'site.sqlite3'}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "deploy-tests-only",
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DJANGO_STATIC_MANIFEST": "0",
        "DJANGO_HSTS_SECONDS": "0",
        # Plain HTTP straight to gunicorn is answered, not redirected (the proxy redirects).
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "MEDIA_ROOT": str(directory / "media"),
        "PAGE_CACHE_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        **overrides,
    }
    for name in ("REDIS_URL", "DJANGO_TRUSTED_PROXIES"):
        if name not in overrides:
            env.pop(name, None)
    return env


def manage(env, *args):
    """Run a management command in ``env``; its output."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class Gunicorn:
    """gunicorn with the project's production settings (deploy/gunicorn.conf.py), serving
    ``app`` (the site by default)."""

    def __init__(self, env, *options, app="diethnos.wsgi"):
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "/dev/null",
                *options,
                app,
            ],
            cwd=ROOT,
            env=env,
        )
        wait_for_port(self.port, timeout=30)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Nginx:
    """nginx serving deploy/nginx.conf, with the ports, paths and certificate of the test put in
    place of the site's own (and nothing else changed)."""

    def __init__(self, directory: Path, upstream_port: int, site_root: Path):
        require(NGINX)
        require(OPENSSL)
        self.directory = directory
        self.http_port = free_port()
        self.https_port = free_port()
        certificate, key = self._certificate()
        site = (ROOT / "deploy" / "nginx.conf").read_text()
        for old, new in [
            ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;"),
            ("listen [::]:80;", ""),
            ("listen [::]:443 ssl http2;", ""),
            ("/etc/letsencrypt/live/news.example.org/fullchain.pem", str(certificate)),
            ("/etc/letsencrypt/live/news.example.org/privkey.pem", str(key)),
            ("/srv/diethnos/", f"{site_root}/"),
        ]:
            assert old in site, f"deploy/nginx.conf no longer has {old!r}"
            site = site.replace(old, new)
        (directory / "site.conf").write_text(site)
        temp = directory / "temp"
        temp.mkdir()
        user = "user root;" if os.geteuid() == 0 else ""
        (directory / "nginx.conf").write_text(
            f"""{user}
daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {directory}/site.conf;
}}
"""
        )
        command = [NGINX, "-p", str(directory), "-c", str(directory / "nginx.conf")]
        command += ["-e", str(directory / "error.log")]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)  # noqa: S603
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen(command)  # noqa: S603
        wait_for_port(self.https_port)

    def _certificate(self):
        certificate, key = self.directory / "cert.pem", self.directory / "key.pem"
        subprocess.run(  # noqa: S603
            [
                OPENSSL,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-days",
                "1",
                "-keyout",
                str(key),
                "-out",
                str(certificate),
            ],
            capture_output=True,
            check=True,
        )
        return certificate, key

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"


class Varnish:
    """varnishd running deploy/varnish.vcl in front of the site on ``backend_port``."""

    def __init__(self, directory: Path, backend_port: int):
        require(VARNISHD)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        vcl = (ROOT / "deploy" / "varnish.vcl").read_text()
        assert '.port = "8000";' in vcl, "deploy/varnish.vcl no longer has its backend port"
        (directory / "site.vcl").write_text(vcl.replace('"8000"', f'"{backend_port}"'))
        self.process = subprocess.Popen(  # noqa: S603
            [
                VARNISHD,
                "-F",
                "-j",
                "none",  # the test's own files, read by its own user
                "-a",
                f"127.0.0.1:{self.port}",
                "-T",
                "none",
                "-f",
                str(directory / "site.vcl"),
                "-n",
                str(directory / "varnish"),
                "-s",
                "malloc,32m",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, timeout=30)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
