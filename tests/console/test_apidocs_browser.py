"""/docs and /redoc in a real browser on a closed network: every request to anything but
the app is refused, and Swagger UI still lists the operations and ReDoc still draws, under
the strict Content-Security-Policy (no violation but the one ReDoc's footer logo makes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.console import Server

# ReDoc's "API docs by Redocly" logo is an <img> from its CDN: blocked, it hides itself.
REDOC_LOGO = "https://cdn.redoc.ly/"
# Both pages parse the whole schema (a few hundred operations) before they draw anything: on
# a busy 2-core CI machine with the rest of the suite beside it that took over 20 s.
LOAD_MS = 90_000
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def closed_network_page(chromium: Any, server: Server) -> tuple[Any, Any, list[str], list[str]]:
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    outside: list[str] = []

    def only_the_app(route: Any) -> None:
        if route.request.url.startswith(server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_app)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    return context, page, errors, outside


def test_swagger_ui_and_redoc_render_from_the_app_alone(
    chromium: Any, server: Server, artifacts: Path,
) -> None:
    context, page, errors, outside = closed_network_page(chromium, server)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400
            else None)
    try:
        # Swagger UI draws only the operations in view (the list is long): a deep link
        # scrolls to one far down and opens it.
        page.goto(f"{server.url}/docs#/organization/list_zones_api_v1_zones_get")
        zones = page.locator('.opblock.is-open .opblock-summary-path[data-path="/api/v1/zones"]')
        zones.wait_for(timeout=LOAD_MS)
        page.wait_for_selector(".opblock.is-open .parameters, .opblock.is-open .responses-wrapper")
        assert page.locator("button.authorize").count() == 1
        assert page.evaluate("window.__csp") == []
        page.screenshot(path=str(artifacts / "docs-swagger-ui.png"))

        page.goto(f"{server.url}/redoc")
        page.wait_for_selector("[data-section-id]", timeout=LOAD_MS)
        page.get_by_text("/api/v1/zones", exact=False).first.wait_for(state="attached")
        violations = page.evaluate("window.__csp")
        assert [v for v in violations if REDOC_LOGO not in v] == []
        page.screenshot(path=str(artifacts / "docs-redoc.png"))
    finally:
        context.close()
    assert not errors, errors
    assert not failed, failed
    assert not outside, f"the pages asked for other hosts: {outside}"
