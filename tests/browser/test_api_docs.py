"""The read API's documentation, served by the site itself, works under its
Content-Security-Policy: every endpoint shown, an example answered, no error or violation."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def test_the_api_docs_render_every_endpoint_under_the_csp(browser, site):
    context = browser.new_context(base_url=site.url)  # the CSP enforced, nothing bypassed
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    problems, requests = [], []
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto("/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    for path in [
        "/api/v1/reports/",
        "/api/v1/reports/{slug}/",
        "/api/v1/regions/",
        "/api/v1/regions/{slug}/",
        "/api/v1/topics/",
        "/api/v1/authors/",
        "/api/v1/corrections/",
    ]:
        expect(page.locator(f".opblock-summary-path[data-path='{path}']")).to_be_visible()
    page.locator(".opblock-summary-path[data-path='/api/v1/reports/']").click()
    expect(page.get_by_text("Fighting around Kursk intensifies").first).to_be_visible()
    assert page.evaluate("window.cspViolations") == []
    assert problems == []
    assert all(url.startswith(site.url) or url.startswith("data:") for url in requests), requests
    context.close()
