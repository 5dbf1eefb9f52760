"""/docs and /redoc work on a closed network: they name no other host, and every file they
load is served by the app from the npm packages (swagger-ui-dist, redoc)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

REFERENCE = re.compile(r"""(?:src|href|spec-url|data-openapi-url)="([^"]+)\"""")


def references(html: str) -> list[str]:
    return REFERENCE.findall(html)


def test_docs_pages_name_no_other_host_and_their_files_load(client: TestClient) -> None:
    for path, wanted in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html")
        assert "<script>" not in page.text and " style=" not in page.text, path  # CSP-proof
        found = references(page.text)
        assert any(ref.endswith(wanted) or wanted in ref for ref in found), (path, found)
        for ref in found:
            assert ref.startswith(("/", "data:")), f"{path} loads {ref} from elsewhere"
            assert "//" not in ref, f"{path} names another host: {ref}"
            if ref.startswith("/"):
                loaded = client.get(ref)
                assert loaded.status_code == 200, f"{path}: {ref} -> {loaded.status_code}"
        assert "cdn" not in page.text.lower() and "googleapis" not in page.text, path


def test_the_schema_the_pages_read_is_the_apps(client: TestClient) -> None:
    page = client.get("/docs").text
    assert 'data-openapi-url="/openapi.json"' in page
    assert '<redoc spec-url="/openapi.json">' in client.get("/redoc").text
    schema = client.get("/openapi.json").json()
    assert "/api/v1/zones" in schema["paths"]
    assert "/docs" not in schema["paths"] and "/redoc" not in schema["paths"]


def test_swagger_starts_from_a_script_file(client: TestClient) -> None:
    script = client.get("/console/static/docs/swagger-init.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "SwaggerUIBundle" in script.text and "openapiUrl" in script.text
