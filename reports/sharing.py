"""Share links: a report's unpublished content shown to reviewers who have no account.

An editor (anyone who may change the report) makes a link on the report's change form in the
desk. It opens ``/preview/<token>/``: the report's working draft (for a published report: its
pending changes), or the unpublished report itself, drawn by the report page under the preview
banner, kept out of search engines and out of every cache. The token is a random key signed
with the site's secret, so a token that was tampered with is refused before the database is
asked. A link works until it expires (a week by default, as chosen when it is made) or is
revoked; after that, and for any token that names no link, the address answers 404.

Share links are no public content: making or revoking one changes no public page.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from .models import Report

DEFAULT_DAYS = 7
MAX_DAYS = 90
_SALT = "reports.sharing"


def _signer():
    # "." never occurs in a token_urlsafe() key, so it separates the key from its signature.
    return signing.Signer(salt=_SALT, sep=".")


def _new_key():
    return secrets.token_urlsafe(24)


class ShareLinkQuerySet(models.QuerySet):
    def active(self, now=None):
        """Links that open their report now: neither expired nor revoked."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def for_token(self, token):
        """The active link that ``token`` (as found in a link's address) opens, or None: for a
        token whose signature does not match (checked without asking the database), that names
        no link, or whose link has expired or been revoked."""
        try:
            key = _signer().unsign(token)
        except signing.BadSignature:
            return None
        return self.active().filter(key=key).first()


class ShareLink(models.Model):
    """A link that shows ``report`` (a live or unpublished report, never a working draft) as
    its working draft holds it to whoever has the link, until ``expires_at`` or ``revoked_at``."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="share_links")
    key = models.CharField(max_length=64, unique=True, default=_new_key, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    # Changes no page readers see (see diethnos.page_cache).
    is_public_content = False

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Share link to {self.report}"

    def get_absolute_url(self):
        return reverse("share-link", args=[self.token])

    @classmethod
    def make(cls, report, *, by=None, days=DEFAULT_DAYS):
        """A new link to ``report`` (a report, or its working draft: the link goes to the
        report), made by ``by`` (a user), open for ``days`` days (an int from 1 to
        ``MAX_DAYS``). Raises ValueError for any other number of days."""
        if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
            raise ValueError(f"A share link is open for 1 to {MAX_DAYS} days.")
        now = timezone.now()
        return cls.objects.create(
            report=report.live,
            created_by=by,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )

    def revoke(self):
        """Close the link now; a link revoked or expired already stays as it is."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    @property
    def token(self):
        """The signed key, as the link's address carries it."""
        return _signer().sign(self.key)

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


def shared_content(report_id):
    """What a share link to report ``report_id`` shows: its working draft if it has one, else
    the report itself, with everything its page needs (one query and the page's prefetches)."""
    rows = Report.all_objects.for_page().filter(Q(pk=report_id) | Q(draft_of_id=report_id))
    return rows.order_by(F("draft_of_id").desc(nulls_last=True))[:1].get()


def shared_preview(request, token):
    """``/preview/<token>/``: the report a share link opens, under the preview banner, marked
    noindex, never cached (``Cache-Control: private, no-store``) and sending no referrer. 404
    for a token that opens nothing."""
    link = ShareLink.objects.for_token(token)
    if link is None:
        raise Http404("This share link does not exist, has expired or was revoked.")
    report = shared_content(link.report_id)
    response = render(
        request,
        "reports/report_detail.html",
        {"report": report, "preview": True, "shared": link, "related": []},
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    # The token is the key to the draft: no link followed from the page passes it on.
    response["Referrer-Policy"] = "no-referrer"
    return response
