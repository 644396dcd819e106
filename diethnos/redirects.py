"""Old public addresses keep working after a page moves.

One mechanism for every address readers may have kept (a report, an author, a topic or a
region, their pages and feeds): a ``Redirect`` row per old address. Rows are recorded when a
slug changes (on every save, whatever saves: the desk, code, commands, restoring a version)
and when topics are merged; editors list and edit them in the desk. ``RedirectMiddleware``
follows them only for a request that found no page, so a live page always wins.
"""

from django.apps import apps
from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from .models import Redirect
from .slugs import slug_for, unique_slug


class KeepsOldAddresses:
    """For a model whose public pages are addressed by its ``slug``: when the slug changes, its
    old addresses redirect to the new ones, and a redirect from an address it now holds goes.

    ``address_routes`` names the routes that take the slug (the page, its feed).
    """

    address_routes = ()

    def addresses(self, slug=None):
        """The paths of this object's public pages, under ``slug`` or else its own."""
        return [reverse(route, kwargs={"slug": slug or self.slug}) for route in self.address_routes]

    def has_public_pages(self):
        """Whether readers can reach (or, for reports, ever could reach) these pages."""
        return True

    def keeps_addresses(self):
        """Whether this row's slug is an address at all (a report's working draft shares its
        live report's slug, and no move of it is recorded)."""
        return True

    def validate_constraints(self, exclude=None):
        # A slug left empty is made when the row is saved (AsciiSlugField): the constraints on
        # it are for the database to check then.
        if not self.slug:
            exclude = {*(exclude or ()), "slug"}
        super().validate_constraints(exclude)


def record_moves(moves, redirects=None):
    """Send each old path of ``moves`` (pairs of paths: old, new) to its new path for good.

    Chains collapse (what led to an old path now leads to the new one) and a redirect from a
    path now in use goes. ``redirects`` is the Redirect manager to write through, by default
    ``Redirect.objects``; a data migration passes its historical model's.
    """
    redirects = Redirect.objects if redirects is None else redirects
    moves = [(old, new) for old, new in moves if old != new]
    for old, new in moves:
        redirects.filter(new_path=old).update(new_path=new)
        redirects.update_or_create(old_path=old, defaults={"new_path": new})
    redirects.filter(old_path__in=[new for _, new in moves]).delete()


def reslug_rows(model, source, path_formats, redirects):
    """For a data migration: give each row of ``model`` (a historical model) whose slug is not
    its own ``slug_for`` (not ASCII, not lower case...) the slug ``slug_for`` makes of it, or
    of the field ``source`` (the name) when that leaves nothing; numbered if another row has it.

    The moves of its addresses are recorded through ``redirects`` (the historical Redirect
    manager). ``path_formats`` are the addresses as the routes stood then, such as
    ``"/topics/{}/"``: a migration cannot rely on today's URLconf. Returns how many rows changed.
    """
    max_length = model._meta.get_field("slug").max_length
    rows = list(model._base_manager.values_list("pk", "slug", source))
    taken = {slug for _, slug, _ in rows}
    moves, changed = [], 0
    for pk, slug, name in rows:
        new = slug_for(slug, max_length) or slug_for(
            name, max_length, fallback=model._meta.model_name
        )
        if new == slug:
            continue
        taken.discard(slug)
        new = unique_slug(new, taken.__contains__, max_length)
        taken.add(new)
        model._base_manager.filter(pk=pk).update(slug=new)
        changed += 1
        moves += [(path.format(slug), path.format(new)) for path in path_formats]
    record_moves(moves, redirects)
    return changed


def _slug_before_save(sender, instance, update_fields=None, **kwargs):
    if not instance.keeps_addresses():
        return
    stored = None
    if instance.pk is not None and (update_fields is None or "slug" in update_fields):
        stored = sender._base_manager.filter(pk=instance.pk).values_list("slug", flat=True)
        stored = stored.first()
    instance._slug_before_save = stored


def _addresses_after_save(sender, instance, **kwargs):
    if not instance.keeps_addresses():
        return
    previous = instance.__dict__.pop("_slug_before_save", None)
    if not instance.has_public_pages():
        # Nothing to be sent to: readers get the page's own 404.
        Redirect.objects.filter(new_path__in=instance.addresses()).delete()
    elif previous and previous != instance.slug:
        record_moves(zip(instance.addresses(previous), instance.addresses(), strict=True))
    else:
        Redirect.objects.filter(old_path__in=instance.addresses()).delete()


def watch_addresses():
    """Connect the receivers that record moves to every model that ``KeepsOldAddresses``."""
    for model in apps.get_models():
        if issubclass(model, KeepsOldAddresses):
            uid = f"addresses-{model._meta.label}"
            pre_save.connect(_slug_before_save, sender=model, dispatch_uid=uid)
            post_save.connect(_addresses_after_save, sender=model, dispatch_uid=uid)


class RedirectMiddleware:
    """Answers a request that found no page (404) with a permanent redirect (301) when its
    path has a ``Redirect``, keeping the query string.

    Browsers and CDNs may keep the redirect as long as a page (``PAGE_CACHE_MAX_AGE``), so that
    an address taken up again by a new page serves it soon everywhere.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        target = Redirect.objects.filter(old_path=request.path).values_list("new_path", flat=True)
        target = target.first()
        if not target or target == request.path:
            return response
        query = request.META.get("QUERY_STRING", "")
        if query:
            target += ("&" if "?" in target else "?") + query
        response = HttpResponsePermanentRedirect(target)
        patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
        return response
