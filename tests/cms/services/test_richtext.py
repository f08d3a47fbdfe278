"""Rich text checked and cleaned by the service: active content named, the allow-list kept."""

from __future__ import annotations

import pytest

from cms.services.richtext import active_content, sanitise


@pytest.mark.parametrize(
    "html",
    [
        "<SCRIPT src=x></SCRIPT>",
        "< script>alert(1)</script>",
        '<div onmouseover="x()">a</div>',
        "<img src=x ONERROR = y>",
        '<a href="JaVaScRiPt:alert(1)">a</a>',
        '<a href="javascript :alert(1)">a</a>',
        '<a href="vbscript:x">a</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">a</a>',
        '<iframe src="https://evil.example"></iframe>',
        "<object data=x></object>",
        "<style>body{}</style>",
    ],
)
def test_active_content_is_named(html):
    assert active_content(html)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<h1>Big</h1><h2>Kept</h2>", "Big<h2>Kept</h2>"),
        ('<a href="https://x.org" target="_blank">l</a>',
         '<a href="https://x.org" rel="noopener noreferrer">l</a>'),
        ('<a href="ftp://x.org/f">l</a>', '<a rel="noopener noreferrer">l</a>'),
        ('<p class="c" style="color:red" lang="es">t</p>', '<p lang="es">t</p>'),
        ('<td colspan="2" bgcolor="red">c</td>', "c"),  # a cell outside a table: its text
        ("<table><tr><td colspan=\"2\">c</td></tr></table>",
         '<table><tbody><tr><td colspan="2">c</td></tr></tbody></table>'),
        ("<p>a<!-- secret --></p>", "<p>a</p>"),
        ("<form><input value=x>text</form>", "text"),
    ],
)  # fmt: skip
def test_sanitise_keeps_the_allow_list_and_drops_the_rest(html, expected):
    assert active_content(html) is None
    assert sanitise(html) == expected
