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


@pytest.fixture
def page_cache_on(settings):
    """The page cache on, as in production (the tests run with it off)."""
    settings.PAGE_CACHE_SECONDS = 600


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit():`` runs what the block saved as a committed transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def cache_pages(client):
    """``cache_pages(urls)`` fetches each of ``urls`` (addresses, each once) as a reader, who
    finds none of them in the page cache yet, so that the cache keeps them."""

    def fetch(urls):
        for url in urls:
            assert client.get(url)["X-Cache"] == "miss", url

    return fetch


@pytest.fixture
def qatar_report(commit):
    """A published report, committed: on Qatar, filed under Ceasefires, by Nikolas Varga."""
    from .factories import AuthorFactory, ReportFactory, TopicFactory, region

    with commit():
        return ReportFactory(
            title="Ceasefire talks resume in Doha",
            primary_region=region("QA"),
            topics=[TopicFactory(name="Ceasefires")],
            authors=[AuthorFactory(name="Nikolas Varga")],
        )


@pytest.fixture
def nadias_report():
    """A published report on Ukraine (and Türkiye), by Nadia Rahman (who covers the Black Sea),
    with one key point, filed under Food security."""
    from .factories import AuthorFactory, ReportFactory, TopicFactory, region

    author = AuthorFactory(name="Nadia Rahman", short_bio="Covers the Black Sea.")
    return ReportFactory(
        title="Grain corridor reopens",
        key_points=["Ships sail again."],
        authors=[author],
        topics=[TopicFactory(name="Food security")],
        regions=[region("TR")],
    )
