"""Every URL pattern of the editors' desk, and the requests that try each one on objects.

``desk_routes()`` lists every pattern: the admin site's own, each ModelAdmin's (whatever
models are registered, with django-reversion's history and recovery views and the report
previews), and the routes of ``diethnos/urls.py`` under ``/admin/``. ``plan(route, world)``
gives the requests a contributor tries on it, as ``Case``s: each case is requests that must be
answered alike (one for an object the contributor may not view, one for an object that does
not exist), or a single request to an object they may view.

A pattern whose parameters the walk cannot fill makes ``plan`` raise ``Uncovered``, so that a
new kind of desk page is walked before it is served.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus, urlsplit

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

from .desk_world import MISSING_ID, SECRETS

# The parameter names by which a ModelAdmin's pattern takes one object.
OBJECT_PARAMETERS = {"object_id", "pk", "id"}
# Not numbers, or out of any column's range: answered like any id that does not exist.
MALFORMED_IDS = ["not-an-id", "-1", "99999999999999999999999"]
# Changelist lookups that no list filter sends: on private fields, on objects the contributor may
# not view, on fields shown. Each is tried with a value matching something hidden and with one
# matching nothing.
UNDECLARED_LOOKUPS = [
    ("email__startswith", SECRETS["e-mail"][:3], "zzz"),
    ("email__regex", "^" + SECRETS["e-mail"][:3], "^zzz"),
    ("email", SECRETS["e-mail"], "nobody@example.org"),
    ("show_email", "0", "1"),
    ("user__username__startswith", SECRETS["username"][:3], "zzz"),
    ("user__isnull", "false", "true"),
    ("created_by__username", SECRETS["username"], "nobody"),
    ("report_authors__author__email__startswith", SECRETS["e-mail"][:3], "zzz"),
    ("authors__email__startswith", SECRETS["e-mail"][:3], "zzz"),
    ("title__startswith", SECRETS["draft headline"][:3], "zzz"),
    ("slug", SECRETS["draft slug"], "no-such-slug"),
    ("key_points__text__icontains", "Qzx", "zzz"),
    ("status", "draft", "no-such-status"),
]
NOTHING = "zzqqnothingmatches"


@dataclass(frozen=True)
class Route:
    """One URL pattern of the desk: ``prefix`` is the address its route is relative to."""

    key: str
    pattern: URLPattern
    prefix: str
    model_admin: admin.ModelAdmin | None = None

    @property
    def parameters(self):
        pattern = self.pattern.pattern
        if isinstance(pattern, RegexPattern):
            regex = pattern.regex
            return tuple(regex.groupindex) or tuple(f"arg{i}" for i in range(regex.groups))
        return tuple(pattern.converters)

    def url(self, *values):
        """This pattern's address with ``values`` for its parameters, in order."""
        pattern = self.pattern.pattern
        if isinstance(pattern, RegexPattern) and self.pattern.name:
            return reverse(f"admin:{self.pattern.name}", args=values)
        remaining = iter(values)
        route = re.sub(r"<(?:\w+:)?\w+>", lambda match: str(next(remaining)), str(pattern))
        return self.prefix + route


def desk_routes():
    """Every URL pattern under /admin/, as ``Route``s."""
    routes = []
    for pattern in get_resolver().url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLPattern) and route.startswith("admin/"):
            routes.append(Route(f"/{route}", pattern, "/"))
    site_includes = 0
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            site_includes += 1
        else:
            routes.append(Route(pattern.name or f"/admin/{pattern.pattern}", pattern, "/admin/"))
    # Every include of the site is a registered ModelAdmin's patterns, walked here.
    assert site_includes == len(admin.site._registry)
    for model, model_admin in admin.site._registry.items():
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            key = pattern.name or f"{prefix}{pattern.pattern}"
            routes.append(Route(key, pattern, prefix, model_admin))
    return routes


@dataclass
class Request:
    method: str
    url: str
    data: dict = field(default_factory=dict)
    # Texts in this request that its answer may repeat (ids, search terms).
    echoes: tuple = ()


@dataclass
class Case:
    """Requests that must be answered alike, or one request to check alone."""

    what: str
    requests: list


class Uncovered(Exception):
    """A desk URL pattern whose parameters the walk does not know how to fill."""


def plan(route, world):
    """The ``Case``s the contributor of ``world`` tries on ``route``."""
    if route.model_admin is not None:
        return model_admin_cases(route, world)
    name = route.pattern.name
    parameters = route.parameters
    if parameters == ("content_type_id", "object_id"):
        return view_on_site_cases(route, world)
    if name == "app_list":
        return [
            Case(f"app {label}", [Request("GET", reverse("admin:app_list", args=[label]))])
            for label in {model._meta.app_label for model in admin.site._registry}
        ]
    if name == "autocomplete":
        return autocomplete_cases(world)
    if parameters == ("url",):
        return catch_all_cases(world)
    if not parameters:
        return [Case("page", [Request("GET", route.url())])]
    raise Uncovered(route.key)


def targets(model, world):
    """(hidden ids, visible ids) of ``model`` to try: the other contributor's objects, or
    else any rows of a model the contributor may not view at all."""
    hidden = list(world.hidden.get(model, []))
    visible = list(world.visible.get(model, []))
    if not hidden and not visible:
        rows = model._default_manager.values_list("pk", flat=True)[:2]
        model_admin = admin.site._registry[model]
        if not model_admin.has_view_or_change_permission(contributor_request(world)):
            hidden = list(rows)
    return hidden, visible


def contributor_request(world):
    request = RequestFactory().get("/admin/")
    request.user = world.contributor
    return request


def alike(what, make, hidden_ids, missing_id=MISSING_ID):
    """One case per hidden id: ``make(id)`` for it and for ``missing_id``, answered alike."""
    return [
        Case(f"{what} {hidden_id} as missing", [make(hidden_id), make(missing_id)])
        for hidden_id in hidden_ids
    ]


def model_admin_cases(route, world):
    model_admin = route.model_admin
    model = model_admin.model
    hidden, visible = targets(model, world)
    name = route.pattern.name or ""
    parameters = route.parameters

    if name.endswith("_revision"):
        return revision_cases(route, world)
    if name.endswith("_revoke_share"):
        return revoke_share_cases(route, world)
    if name.endswith("_recover"):
        versions = [world.deleted_version.pk, world.draft_version.pk]
        return [
            *alike("GET", lambda v: Request("GET", route.url(v), echoes=(v,)), versions),
            *alike("POST", lambda v: Request("POST", route.url(v), echoes=(v,)), versions),
        ]
    if len(parameters) == 1 and parameters[0] in OBJECT_PARAMETERS:
        cases = []
        for method in ("GET", "POST"):

            def make(object_id, method=method):
                return Request(method, route.url(object_id), echoes=(object_id,))

            cases += alike(method, make, hidden)
            cases += [Case(f"{method} visible {pk}", [make(pk)]) for pk in visible]
            cases += [Case(f"{method} malformed {pk}", [make(pk)]) for pk in MALFORMED_IDS]
        return cases
    if parameters:
        raise Uncovered(route.key)
    if name.endswith("_changelist"):
        return changelist_cases(route, world, hidden)
    return [Case("page", [Request("GET", route.url())])]


def changelist_cases(route, world, hidden):
    url = route.url()
    cases = [
        Case("list", [Request("GET", url)]),
        Case("facets", [Request("GET", url + "?_facets=1")]),
    ]
    actions = list(route.model_admin.get_actions(contributor_request(world)))
    if actions:

        def act(object_id):
            data = {"action": actions[0], "index": "0", "_selected_action": [object_id]}
            return Request("POST", url, data, echoes=(object_id,))

        cases += alike(f"action {actions[0]}", act, hidden)
    for secret in SECRETS.values():
        cases.append(
            Case(
                f"search {secret}",
                [
                    Request("GET", url, {"q": secret}, echoes=(secret,)),
                    Request("GET", url, {"q": NOTHING}, echoes=(NOTHING,)),
                ],
            )
        )
    for lookup, matching, other in UNDECLARED_LOOKUPS:
        cases.append(
            Case(
                f"lookup {lookup}",
                [
                    Request("GET", url, {lookup: matching}, echoes=(matching,)),
                    Request("GET", url, {lookup: other}, echoes=(other,)),
                ],
            )
        )
    for position in range(8):
        # Sorting by any column, shown or not.
        cases.append(Case(f"sorted by {position}", [Request("GET", url, {"o": str(position)})]))
    return cases


def revision_cases(route, world):
    """A version of a report: theirs, of their report or of the contributor's own, and a
    deleted report's, each answered as a version that does not exist."""
    own = world.own_draft.pk

    def make(report_id, version_id):
        return Request("GET", route.url(report_id, version_id), echoes=(report_id, version_id))

    def post(report_id, version_id):
        request = make(report_id, version_id)
        request.method = "POST"
        return request

    cases = []
    for request in (make, post):
        for report_id, version_id in [
            (world.draft.pk, world.draft_version.pk),
            (world.deleted_pk, world.deleted_version.pk),
        ]:
            cases.append(
                Case(
                    f"{request.__name__} their version",
                    [request(report_id, version_id), request(MISSING_ID, MISSING_ID)],
                )
            )
        for version_id in (world.draft_version.pk, world.deleted_version.pk):
            cases.append(
                Case(
                    f"{request.__name__} their version on own report",
                    [request(own, version_id), request(own, MISSING_ID)],
                )
            )
    return cases


def revoke_share_cases(route, world):
    """A share link of their report, revoked through their report or the contributor's own,
    each answered as a link that does not exist."""
    from reports.sharing import ShareLink

    theirs = ShareLink.objects.filter(report=world.draft).first() or ShareLink.make(world.draft)
    own = world.own_draft.pk

    def post(report_id, link_id):
        return Request("POST", route.url(report_id, link_id), echoes=(report_id, link_id))

    return [
        Case("POST their link", [post(world.draft.pk, theirs.pk), post(MISSING_ID, MISSING_ID)]),
        Case("POST their link on own report", [post(own, theirs.pk), post(own, MISSING_ID)]),
    ]


def view_on_site_cases(route, world):
    """ "View on site" for every registered model's hidden and visible rows, for a model with
    no desk page, and for a content type that does not exist."""
    cases = []
    for model in admin.site._registry:
        content_type = ContentType.objects.get_for_model(model).pk
        hidden, visible = targets(model, world)

        def make(object_id, content_type=content_type):
            return Request("GET", route.url(content_type, object_id), echoes=(object_id,))

        cases += alike(model._meta.label, make, hidden)
        cases += [Case(f"{model._meta.label} visible", [make(pk)]) for pk in visible]
    key_point = world.draft.key_points.get()
    key_point_type = ContentType.objects.get_for_model(key_point).pk
    cases.append(
        Case(
            "a key point, with no desk page",
            [
                Request("GET", route.url(key_point_type, key_point.pk), echoes=(key_point.pk,)),
                Request("GET", route.url(key_point_type, MISSING_ID), echoes=(MISSING_ID,)),
            ],
        )
    )
    cases.append(Case("no such content type", [Request("GET", route.url(MISSING_ID, 1))]))
    return cases


def autocomplete_cases(world):
    """Every relation of every model to a model with a desk page, searched for each secret
    and for nothing: the answers must be alike. Bad requests are refused alike too."""
    from django.apps import apps

    url = reverse("admin:autocomplete")
    cases = [Case("no parameters", [Request("GET", url)])]
    for model in apps.get_models():
        for relation in model._meta.get_fields():
            if not (relation.is_relation and relation.concrete and relation.related_model):
                continue
            if relation.related_model not in admin.site._registry:
                continue
            query = {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": relation.name,
            }
            what = f"{model._meta.label}.{relation.name}"
            cases.append(Case(f"{what} all", [Request("GET", url, {**query, "term": ""})]))
            for secret in SECRETS.values():
                cases.append(
                    Case(
                        f"{what} {secret}",
                        [
                            Request("GET", url, {**query, "term": secret}),
                            Request("GET", url, {**query, "term": NOTHING}),
                        ],
                    )
                )
    return cases


def catch_all_cases(world):
    """Addresses the desk has no page for, and object addresses without their last slash."""
    cases = [Case("no such page", [Request("GET", "/admin/no-such-page/")])]
    for model in admin.site._registry:
        hidden, _ = targets(model, world)
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        cases += alike(
            f"{model._meta.label} without slash",
            lambda object_id, prefix=prefix: Request(
                "GET", f"{prefix}{object_id}", echoes=(object_id,)
            ),
            hidden,
        )
    return cases


# -- Answers -------------------------------------------------------------------------------

VARYING = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
]


def send(client, request):
    if request.method == "GET":
        return client.get(request.url, request.data)
    return client.post(request.url, request.data)


def echoed(text, request):
    """``text`` with what ``request`` itself names (its address, ids, search terms) replaced,
    and with what changes on every answer (CSRF tokens, nonces) left out."""
    text = text.replace(urlsplit(request.url).path, "<address>")
    for echo in request.echoes:
        echo = str(echo)
        if echo.isdigit():
            for form in ("/{}/", "“{}”"):
                text = text.replace(form.format(echo), form.format("<id>"))
        else:
            # As it is, in an address, and in the query string kept in an address.
            for form in {echo, quote(echo), quote_plus(echo), quote(quote_plus(echo))}:
                text = text.replace(form, "<term>")
    for pattern, replacement in VARYING:
        text = pattern.sub(replacement, text)
    return text


def shown(client, request):
    """What the signed-in user is shown for ``request``: the status, the redirect and the page,
    and for a redirect within the desk the page it leads to (with any message left for it),
    each without what the request itself names (``echoed``)."""
    response = send(client, request)
    location = response.get("Location", "")
    answer = {
        "status": response.status_code,
        "location": echoed(location, request),
        "page": echoed(response.content.decode(), request),
    }
    target = urlsplit(location)
    if location and target.netloc in ("", "testserver") and target.path.startswith("/admin/"):
        then = client.get(location)
        answer["then"] = (
            then.status_code,
            echoed(then.get("Location", ""), request),
            echoed(then.content.decode(), request),
        )
    return answer


def texts(answer):
    """Every text of ``answer``: the redirect and the pages."""
    yield answer["location"]
    yield answer["page"]
    if "then" in answer:
        yield from answer["then"][1:]
