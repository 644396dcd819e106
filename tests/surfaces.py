"""Fetching every public surface a report appears on, and checking that each one holds."""

import json

from django.urls import reverse
from lxml import etree, html

from diethnos.text import FORBIDDEN
from reports.sitemaps import SITEMAPS


def feed_urls(report):
    """Every feed ``report`` appears in: the site's, and its regions', topics' and authors'."""
    urls = [reverse("reports:feed")]
    urls += [reverse("regions:feed", kwargs={"slug": r.slug}) for r in report.all_regions]
    urls += [reverse("topics:feed", kwargs={"slug": t.slug}) for t in report.topics.all()]
    urls += [reverse("authors:feed", kwargs={"slug": a.slug}) for a in report.authors.all()]
    return urls


def json_feed_urls(report):
    """Every JSON Feed ``report`` appears in, as ``feed_urls`` lists the RSS feeds."""
    urls = [reverse("reports:json-feed")]
    urls += [reverse("regions:json-feed", kwargs={"slug": r.slug}) for r in report.all_regions]
    urls += [reverse("topics:json-feed", kwargs={"slug": t.slug}) for t in report.topics.all()]
    urls += [reverse("authors:json-feed", kwargs={"slug": a.slug}) for a in report.authors.all()]
    return urls


def sitemap_urls():
    """The sitemap index, every section and the news sitemap."""
    sections = [reverse("sitemap-section", kwargs={"section": name}) for name in SITEMAPS]
    return [reverse("sitemap"), *sections, reverse("news-sitemap")]


def page_urls(report):
    """The report's page and every listing it is on."""
    urls = [report.get_absolute_url(), reverse("reports:home"), reverse("reports:list")]
    urls += [region.get_absolute_url() for region in report.all_regions]
    urls += [topic.get_absolute_url() for topic in report.topics.all()]
    urls += [author.get_absolute_url() for author in report.authors.all()]
    urls += [reverse("regions:index"), reverse("topics:index"), reverse("authors:index")]
    urls += [reverse("corrections:index")]
    return urls


def xml_of(response):
    """The parsed XML document of a 200 answer; fails on anything not well-formed, and on any
    character that stored text may not hold."""
    assert response.status_code == 200, response.request["PATH_INFO"]
    text = response.content.decode()
    assert not FORBIDDEN.search(text), response.request["PATH_INFO"]
    return etree.fromstring(response.content)  # noqa: S320 - the site's own output


def texts_in(value):
    """Every string in ``value`` (parsed JSON), keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, part in value.items():
            yield key
            yield from texts_in(part)
    elif isinstance(value, list):
        for part in value:
            yield from texts_in(part)


def json_feed_of(response):
    """The parsed JSON Feed of a 200 answer; fails on anything that is not JSON, and on any
    character that stored text may not hold (once JSON's escapes are read)."""
    assert response.status_code == 200, response.request["PATH_INFO"]
    feed = json.loads(response.content.decode())
    for text in texts_in(feed):
        assert not FORBIDDEN.search(text), response.request["PATH_INFO"]
    return feed


def json_ld_of(response):
    """Every JSON-LD block of a 200 HTML page, parsed."""
    assert response.status_code == 200, response.request["PATH_INFO"]
    page = html.fromstring(response.content)
    blocks = page.xpath("//script[@type='application/ld+json']")
    assert blocks, response.request["PATH_INFO"]
    return [json.loads(block.text) for block in blocks]


def check_every_surface(client, report):
    """Fetch every page, feed (RSS and JSON Feed), sitemap and JSON-LD block ``report`` is on
    and check each one; returns the parsed RSS feeds, by URL."""
    for url in page_urls(report):
        json_ld_of(client.get(url))
    for url in sitemap_urls():
        xml_of(client.get(url))
    for url in json_feed_urls(report):
        json_feed_of(client.get(url))
    return {url: xml_of(client.get(url)) for url in feed_urls(report)}
