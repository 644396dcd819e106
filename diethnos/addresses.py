"""The addresses of public pages, each reversed once per process.

``reverse()`` costs more than anything else a template does for a link, and a page links to
dozens (every report, region, topic and author it names), so ``get_absolute_url`` asks
``page_address``, which remembers what ``reverse()`` answered for the URLconf and script prefix
in use.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse


def page_address(viewname, **kwargs):
    """``reverse(viewname, kwargs=kwargs)`` (a str), remembered. Raises ``NoReverseMatch``
    as ``reverse`` does."""
    return _reversed(get_urlconf(), get_script_prefix(), viewname, tuple(kwargs.items()))


@lru_cache(maxsize=10_000)
def _reversed(urlconf, prefix, viewname, kwargs):
    # ``prefix`` is in the key only: reverse() reads the script prefix itself.
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))


@receiver(setting_changed)
def _forget_addresses(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()
