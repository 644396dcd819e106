"""Errors under ``/api/`` are JSON, whatever raised them: ``{"status", "error", "detail"}``,
with ``parameter`` naming the query parameter a 400 is about."""

import logging
from http import HTTPStatus

from django.http import JsonResponse

PREFIX = "/api/"
logger = logging.getLogger("django.request")


def error_response(status, detail, parameter=None):
    """A JSON error response: ``status`` (an int), ``detail`` (a sentence for people),
    ``parameter`` (the query parameter at fault, for a 400)."""
    body = {"status": status, "error": HTTPStatus(status).phrase, "detail": detail}
    if parameter:
        body["parameter"] = parameter
    return JsonResponse(body, status=status)


class JsonErrorsMiddleware:
    """Under ``/api/``: an error response that is not JSON (Django's own 404 for an unknown
    address, a 405) becomes one, keeping its headers (``Allow``); an exception a view raised
    is logged and answered with a JSON 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replacement = error_response(response.status_code, _detail(response.status_code))
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith(PREFIX):
            return None
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"request": request},
        )
        return error_response(500, "Something went wrong on our side; it has been logged.")


def _detail(status):
    if status == 404:
        return "There is nothing at this address. See /api/v1/docs/ for the endpoints."
    if status == 405:
        return "This endpoint only answers GET (and HEAD)."
    return HTTPStatus(status).description
