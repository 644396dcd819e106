"""The site as the outside world sees it: absolute addresses and the publishing organisation.

Feeds, sitemaps, canonical links and structured data must name the public address
(``settings.SITE_URL``), not whatever host a request happened to come in on.
"""

from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.templatetags.static import static

from .addresses import page_address


def absolute_url(url):
    """``url`` (a path such as ``/reports/x/``, or already absolute) on the public site."""
    if url.startswith("/") and not url.startswith("//") and "/." not in url:
        return _origin(settings.SITE_URL) + url  # what urljoin gives, for a fraction of its cost
    return urljoin(f"{settings.SITE_URL}/", url)


@lru_cache(maxsize=8)
def _origin(site_url):
    parts = urlsplit(site_url)
    return f"{parts.scheme}://{parts.netloc}"


def site_scheme_and_domain():
    parts = urlsplit(settings.SITE_URL)
    return parts.scheme, parts.netloc


def language():
    """The site's language as feeds and news sitemaps name it ("en"; "zh-cn" keeps its region)."""
    code = settings.LANGUAGE_CODE.lower()
    return code if code in ("zh-cn", "zh-tw") else code.split("-")[0]


def organisation():
    """The outlet, as schema.org describes a news publisher."""
    return {
        "@type": "NewsMediaOrganization",
        "@id": absolute_url("/#organisation"),
        "name": settings.SITE_NAME,
        "url": absolute_url("/"),
        "logo": {"@type": "ImageObject", "url": absolute_url(static("img/logo.png"))},
        "publishingPrinciples": absolute_url(page_address("corrections:policy")),
        "correctionsPolicy": absolute_url(page_address("corrections:policy")),
    }
