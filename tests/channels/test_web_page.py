"""The web chat page: served at /, self-contained, with security headers, no HTML injection path."""

from __future__ import annotations

import re

from bot.gateway.routers.web import STATIC_DIR


async def test_page_is_served_with_security_headers(gateway, channel_settings):
    response = await gateway[1].get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert f'data-max-chars="{channel_settings.max_message_chars}"' in response.text
    assert "技改政策助手" in response.text and "转人工" in response.text


async def test_page_loads_nothing_from_the_internet():
    for path in STATIC_DIR.glob("*.*"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?:src|href)\s*=\s*[\"'](?:https?:)?//", text), path.name
        assert "@import" not in text and "url(http" not in text, path.name
        assert not re.search(r"fetch\(\s*[\"']https?:", text), path.name


def test_script_never_renders_message_text_as_html():
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "outerHTML" not in script
    assert "insertAdjacentHTML" not in script and "document.write" not in script


async def test_static_files_have_types_and_headers(gateway):
    js = await gateway[1].get("/static/app.js")
    css = await gateway[1].get("/static/app.css")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert js.headers["x-content-type-options"] == "nosniff"


async def test_static_route_refuses_paths_outside_the_folder(gateway):
    for path in ("/static/..%2Frouters%2Fweb.py", "/static/%2e%2e/%2e%2e/settings.py", "/static/nope.js",
                 "/static/", "/static/%2Fetc%2Fpasswd"):
        response = await gateway[1].get(path)
        assert response.status_code == 404, path
