"""Every page of the editors' desk, walked as a contributor: none tells them anything about the
objects they may not view, another contributor's drafts and versions above all.

For every URL pattern under /admin/ (``tests/admin_walk.py``), the contributor asks for another
contributor's objects and for objects that do not exist, by every method and parameter the
pattern takes: the answers are the same (status, redirect, message, page), no answer holds any
of the other contributor's secrets (``tests/desk_world.py``), and none is a server error. The
same walk as an editor finds every page working.
"""

import pytest
import time_machine

from .admin_walk import MALFORMED_IDS, Uncovered, desk_routes, plan, send, shown, targets, texts
from .desk_world import build_world, leaked

pytestmark = pytest.mark.django_db

ROUTES = desk_routes()


def test_the_walk_covers_every_url_pattern_of_the_desk(pytestconfig, capsys):
    world = build_world()
    uncovered, requests = [], 0
    for route in ROUTES:
        try:
            requests += sum(len(case.requests) for case in plan(route, world))
        except Uncovered as error:
            uncovered.append(str(error))
    assert not uncovered, f"Walk these desk pages too (tests/admin_walk.py): {uncovered}"
    models = {route.model_admin.model for route in ROUTES if route.model_admin}
    hidden = sum(len(targets(model, world)[0]) for model in models) + 2  # and two versions
    visible = sum(len(targets(model, world)[1]) for model in models)
    missing = len(models) + 1  # an id of each model, and a version
    # Said in the test run's output: the figures of the walk.
    with capsys.disabled():
        pytestconfig.pluginmanager.get_plugin("terminalreporter").write_line(
            f"\nThe desk walk: {len(ROUTES)} URL patterns; {hidden} objects and versions the "
            f"contributor may not view, {visible} they may view in part, {missing} that do not "
            f"exist and {len(MALFORMED_IDS)} malformed ids; {requests} requests as a contributor, "
            "as many as an editor."
        )
    assert len(ROUTES) > 60


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.key)
def test_a_contributor_learns_nothing_of_what_they_may_not_view_from(client, route):
    world = build_world()
    client.force_login(world.contributor)
    for case in plan(route, world):
        answers = []
        for request in case.requests:
            # A page proposing the present time (in a form) proposes the same for each request.
            with time_machine.travel(world.own_draft.created_at, tick=False):
                answer = shown(client, request)
            assert answer["status"] < 500, (case.what, request)
            for text in texts(answer):
                assert not leaked(text), (case.what, request, leaked(text))
            answers.append(answer)
        for request, answer in zip(case.requests[1:], answers[1:], strict=True):
            assert answer == answers[0], (case.what, case.requests[0], request)


def test_an_editor_walks_every_page_of_the_desk_without_error(client):
    world = build_world()
    client.force_login(world.editor)
    for route in ROUTES:
        for case in plan(route, world):
            for request in case.requests:
                assert send(client, request).status_code < 500, (route.key, case.what, request)
