"""What the editors' desk tells each user: nothing about objects they may not view.

Every desk page of the project's models derives from ``DeskAdmin``. A user learns of an object
only from the objects its ModelAdmin's ``get_queryset`` gives them (a contributor's reports
are their own), and of a field only if they may see it (``PRIVATE_FIELDS``, such as an author's
e-mail address, are for those who may change the model):

- an object the user may not view is, on every page of its ModelAdmin, one that does not exist:
  the same redirect, message, 403 or 404 (``DeskAdmin.get_object``);
- a change list filters only through its declared list filters and date hierarchy, with the
  query parameters those send (``DeskAdmin.lookup_allowed``): any other lookup in the query
  string (``?email__startswith=a``) is refused with a 400, whatever its value, for everyone;
- change lists and autocompletes search, filter, show and sort by no field the user may not see
  (``DeskAdmin.get_search_fields``, ``get_list_filter``, ``get_list_display``,
  ``get_sortable_by``);
- the rows of an inline belong to their object: a posted row id of another object is refused as
  one that does not exist (``DeskAdmin.get_formsets_with_inlines``);
- "View on site" redirects only to an object the user may view (``DeskSite.view_on_site``).

``DeskSite``, the admin site, makes every ModelAdmin registered on it a ``DeskAdmin``, the
project's own and other apps' alike.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.urls import path

# The query parameters Django's field list filters read, after the field's path (Boolean,
# Choices, AllValues and Related filters: exact and isnull; Date: gte and lt; Empty: isempty).
# A related field's filter also reads "<path>__<target field>__exact".
FIELD_FILTER_LOOKUPS = ("exact", "isnull", "isempty", "gte", "lt")
# The query parameters of a date hierarchy, after its field's name.
DATE_HIERARCHY_LOOKUPS = ("year", "month", "day")
# The prefixes of a search field: starts with, exact, full-text.
SEARCH_PREFIXES = "^=@"


class DeskAdmin(admin.ModelAdmin):
    """A ModelAdmin that tells each user nothing about the objects and fields they may not view
    (see the module's docstring). Its subclasses name their private fields in
    ``PRIVATE_FIELDS``."""

    # Fields only those who may change the model see: left out of the form, list, filters,
    # search, sorting and lookups for everybody else, here and wherever another model's desk
    # page reaches them through a relation.
    PRIVATE_FIELDS = frozenset()

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.date_hierarchy and self.date_hierarchy.split(LOOKUP_SEP)[0] in self.PRIVATE_FIELDS:
            # The date bar shows the dates of the rows to everyone who may view the list.
            errors.append(
                checks.Error(
                    "date_hierarchy names a private field.", obj=type(self), id="diethnos.E001"
                )
            )
        return errors

    def sees_private_fields(self, request):
        """Whether ``request.user`` may see this model's ``PRIVATE_FIELDS``."""
        return self.has_change_permission(request)

    def shows_every_row(self, request):
        """Whether this page lists ``request.user`` every row of its model (its queryset
        filters none out for them, as the report list does for a contributor)."""
        return not self.get_queryset(request).query.where

    def is_private_path(self, request, path):
        """Whether ``path``, field names joined by "__" (a search field, list filter, list
        column or lookup, with any lookups at its end), reaches a field ``request.user`` may not
        see: a private field of a model they may not see those of, or a field of another model
        with a desk page of its own that does not show them every row (so that searching,
        filtering or sorting through it would tell of rows they may not view). Models with no
        desk page of their own (a report's key points, a through table) are parts of the model
        that leads to them."""
        model, model_admin = self.model, self
        for name in path.split(LOOKUP_SEP):
            private = getattr(model_admin, "PRIVATE_FIELDS", ())
            if name in private and not model_admin.sees_private_fields(request):
                return True
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                return False  # the lookups at the end of the path
            if not field.is_relation:
                return False
            model = field.related_model
            if model is None:  # a generic foreign key: no lookup goes through it
                return True
            model_admin = self.admin_site._registry.get(model)
            if model_admin is not None and not (
                model_admin.has_view_or_change_permission(request)
                and model_admin.shows_every_row(request)
            ):
                return True
        return False

    def visible(self, request, model):
        """The rows of ``model`` that ``request.user`` may view in the desk, as its desk page
        lists them; none if it has no desk page or they may not view it."""
        model_admin = self.admin_site._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            return model._default_manager.none()
        return model_admin.get_queryset(request)

    # -- objects ---------------------------------------------------------------------------

    def get_object(self, request, object_id, from_field=None):
        """The object ``object_id`` if ``request.user`` may view it, else None, as Django
        answers for an object that does not exist."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None or self.has_view_or_change_permission(request, obj):
            return obj
        return None

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            yield rows_of_their_object(formset), inline

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.PRIVATE_FIELDS or self.sees_private_fields(request):
            return fieldsets
        return [
            (name, {**options, "fields": self.without_private(options["fields"])})
            for name, options in fieldsets
        ]

    def without_private(self, fields):
        """``fields`` (names, or tuples of names shown on one line) without the private ones."""
        kept = []
        for field in fields:
            if isinstance(field, (list, tuple)):
                line = self.without_private(field)
                if line:
                    kept.append(tuple(line))
            elif field not in self.PRIVATE_FIELDS:
                kept.append(field)
        return kept

    # -- change lists and autocompletes ----------------------------------------------------

    def lookup_allowed(self, lookup, value, request):
        # As Django does: the raw-id popup of a relation with limit_choices_to sends these.
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        return lookup in self.filter_parameters(request)

    def filter_parameters(self, request):
        """The query parameters the change list's filters and date hierarchy send, as a set of
        lookups: the only ones ``request.user`` may filter it with."""
        parameters = set()
        for list_filter in self.get_list_filter(request):
            if isinstance(list_filter, type) and issubclass(list_filter, admin.SimpleListFilter):
                parameters.add(list_filter.parameter_name)
                continue
            path = list_filter[0] if isinstance(list_filter, (list, tuple)) else list_filter
            path = path if isinstance(path, str) else path.name
            parameters.update(f"{path}__{lookup}" for lookup in FIELD_FILTER_LOOKUPS)
            field = get_fields_from_path(self.model, path)[-1]
            if field.is_relation:
                parameters.add(f"{path}__{field.target_field.name}__exact")
        if self.date_hierarchy and not self.is_private_path(request, self.date_hierarchy):
            parameters.update(f"{self.date_hierarchy}__{part}" for part in DATE_HIERARCHY_LOOKUPS)
        return parameters

    def get_list_filter(self, request):
        return [
            list_filter
            for list_filter in super().get_list_filter(request)
            if not self.is_private_path(request, filter_path(list_filter))
        ]

    def get_search_fields(self, request):
        return [
            field
            for field in super().get_search_fields(request)
            if not self.is_private_path(request, field.lstrip(SEARCH_PREFIXES))
        ]

    def get_list_display(self, request):
        return [
            column
            for column in super().get_list_display(request)
            if not isinstance(column, str) or not self.is_private_path(request, column)
        ]

    def get_sortable_by(self, request):
        return [
            column
            for column in super().get_sortable_by(request)
            if not self.is_private_path(request, self.order_path(column))
        ]

    def order_path(self, column):
        """The field path list column ``column`` is sorted by (its ``admin_order_field``)."""
        if isinstance(column, str):
            attribute = getattr(self, column, None) or getattr(self.model, column, None)
        else:
            attribute = column
        order = getattr(attribute, "admin_order_field", column)
        return order.lstrip("-") if isinstance(order, str) else ""


def filter_path(list_filter):
    """The field path a list filter filters by ("" for a SimpleListFilter, which names none)."""
    if isinstance(list_filter, (list, tuple)):
        list_filter = list_filter[0]
    if isinstance(list_filter, str):
        return list_filter
    return getattr(list_filter, "name", "")


def rows_of_their_object(formset_class):
    """``formset_class``, an inline formset class, taking only the rows of its own object: a
    posted row id of another object is refused ("Select a valid choice") exactly like the id of
    a row that does not exist. (Django's own accepts any row's id and ignores the row.)"""

    class RowsOfTheirObject(formset_class):
        def add_fields(self, form, index):
            super().add_fields(form, index)
            row_id = form.fields.get(self._pk_field.name)
            if isinstance(row_id, forms.ModelChoiceField):
                row_id.queryset = self.get_queryset()

    RowsOfTheirObject.__name__ = formset_class.__name__
    RowsOfTheirObject.__qualname__ = formset_class.__qualname__
    return RowsOfTheirObject


# The apps editors work with, in the order the desk's menu lists them. Every other app's pages
# (accounts and groups, sign-in records, two-factor devices, background tasks) are the site's
# administration: listed for superusers only, after these.
EDITORIAL_APPS = ["reports", "authors", "tags", "corrections", "diethnos"]


class DeskSite(admin.AdminSite):
    """The editors' desk (``admin.site``): Django's admin site, on which every model's page is a
    ``DeskAdmin``, whichever app registers it (users and groups, sign-in records too), and
    whose "View on site" checks what the user may view. Its menu (the index and the sidebar)
    lists the editorial apps first, and the others to superusers only."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, DeskAdmin):
            admin_class = type(
                admin_class.__name__,
                (DeskAdmin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def get_app_list(self, request, app_label=None):
        """The apps of the menu ``request.user`` sees: ``EDITORIAL_APPS`` first, in that order,
        then, for a superuser, the others by name. (The pages of those others still answer
        whoever has the permissions for them.)"""
        apps = super().get_app_list(request, app_label)
        editorial = {label: rank for rank, label in enumerate(EDITORIAL_APPS)}
        if not request.user.is_superuser:
            apps = [app for app in apps if app["app_label"] in editorial]
        return sorted(apps, key=lambda app: editorial.get(app["app_label"], len(editorial)))

    def get_urls(self):
        return [
            path(str(url.pattern), self.admin_view(self.view_on_site), name=url.name)
            if getattr(url, "name", None) == "view_on_site"
            else url
            for url in super().get_urls()
        ]

    def view_on_site(self, request, content_type_id, object_id):
        """The desk's "View on site" (``admin:view_on_site``, ``/admin/r/<content type>/<id>/``):
        a redirect to the public page of an object ``request.user`` may view in the desk, as
        Django's ``shortcut`` does; for any other object a 404, the same as for an object that
        does not exist, so that its address (and the headline in it) stays unknown."""
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, OverflowError, ContentType.DoesNotExist):
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return shortcut(request, content_type_id, obj.pk)
