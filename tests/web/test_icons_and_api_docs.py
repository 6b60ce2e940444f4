"""The icon every page links (and /favicon.ico, which browsers ask for anyway), cached; and the
/api/docs page, which loads its scripts from our origin only."""

from __future__ import annotations

import re

from assessor.web.favicon import MAX_AGE


def _get(client, url, **kwargs):
    """The response, read and closed (a file sent from disk stays open until closed)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def test_the_icon_is_an_svg_cached_for_a_week_at_favicon_ico(client):
    response = _get(client, "/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data.lstrip().startswith(b"<svg")
    assert response.cache_control.max_age == MAX_AGE == 7 * 24 * 3600
    assert "no-store" not in response.headers["Cache-Control"]
    # asked again with its validator: not sent again
    again = _get(client, "/favicon.ico", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_pages_link_the_svg_icon(client):
    page = client.get("/login").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)[1]
    icon = _get(client, href)
    assert icon.status_code == 200 and icon.data == _get(client, "/favicon.ico").data


def test_the_api_reference_page_runs_no_inline_script(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert "style=" not in page and "<style" not in page
    assert 'data-url="/api/v1/openapi.json"' in page
    assert response.headers["Content-Security-Policy"].startswith(
        "default-src 'self'; script-src 'self'; style-src 'self';"
    )
    assert client.get("/api/v1/openapi.json").status_code == 200
