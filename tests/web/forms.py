"""Reading what a page offers, as a browser would: its CSRF token."""

import re

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"|data-csrf="([^"]+)"')


def csrf_from(response) -> str:
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, "the page carries no CSRF token"
    return match.group(1) or match.group(2)
