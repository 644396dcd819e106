"""HEAD requests under ``/api/``: answered as GET is, without the body."""

from .errors import PREFIX


class HeadAsGetMiddleware:
    """Under ``/api/``, a HEAD request goes through as a GET (the API's endpoints answer GET),
    and its answer leaves without the body, keeping the GET's headers (``Content-Length``,
    ``ETag``, CORS, rate limit). First in ``MIDDLEWARE``: every other middleware sees a GET, so
    the page cache answers and stores it as one, and the body is dropped last of all. A 405
    names HEAD among the methods allowed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        head = request.method == "HEAD" and request.path.startswith(PREFIX)
        if head:
            request.method = "GET"
        response = self.get_response(request)
        if head:
            request.method = "HEAD"
            if not response.streaming:
                response.setdefault("Content-Length", str(len(response.content)))
                response.content = b""
        if response.status_code == 405 and request.path.startswith(PREFIX):
            allowed = [method.strip() for method in response.get("Allow", "").split(",")]
            if "GET" in allowed and "HEAD" not in allowed:
                response["Allow"] = ", ".join([*filter(None, allowed), "HEAD"])
        return response
