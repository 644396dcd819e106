import os

# The test run uses production settings (DEBUG off) with a throwaway key and plain HTTP.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diethnos.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-a-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_STATIC_MANIFEST", "0")
os.environ.setdefault("DJANGO_HSTS_SECONDS", "0")
os.environ.setdefault("PAGE_CACHE_SECONDS", "0")  # on in tests/test_page_cache.py
os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop

import django  # noqa: E402
import pytest  # noqa: E402

django.setup()


@pytest.fixture(autouse=True)
def _fast_tests(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Tasks (e-mail) run as they are queued; tests/test_background_tasks.py covers the
    # database backend and its worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the M49 tree and the groupings, as a real site does."""
    from tags.regions import load_regions

    with django_db_blocker.unblock():
        load_regions()


@pytest.fixture
def purges():
    """The tags of each purge of the page cache during the test (a list of sets, filled in as
    purges happen)."""
    from diethnos.page_cache import pages_purged

    seen = []

    def receive(sender, tags, **kwargs):
        seen.append(tags)

    pages_purged.connect(receive, weak=False)
    yield seen
    pages_purged.disconnect(receive)
