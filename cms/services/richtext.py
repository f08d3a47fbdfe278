"""Rich text: refuse active content with a clear message, then sanitise with an allow-list."""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "u", "s", "sub",
    "sup", "small", "mark", "abbr", "cite", "q", "blockquote", "code", "pre", "ul", "ol", "li",
    "dl", "dt", "dd", "a", "img", "figure", "figcaption", "table", "caption", "thead", "tbody",
    "tfoot", "tr", "th", "td", "span", "div",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
    "ol": {"start"},
    "*": {"lang", "dir"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# What a CoP page never needs and an attacker always does; named so the editor learns why.
_ACTIVE_CONTENT = [
    (re.compile(r"<\s*script\b", re.I), "a <script> element"),
    (re.compile(r"<\s*(iframe|object|embed|frame|frameset|applet)\b", re.I), "an embedded frame"),
    (re.compile(r"<\s*style\b", re.I), "a <style> element"),
    (re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "an event handler attribute (on…=)"),
    (re.compile(r"(java|vb)script\s*:", re.I), "a javascript: URL"),
    (re.compile(r"data\s*:\s*text/html", re.I), "a data:text/html URL"),
]


def active_content(html: str) -> str | None:
    """What active content the HTML holds, described for an error message, or None."""
    for pattern, description in _ACTIVE_CONTENT:
        if pattern.search(html):
            return description
    return None


def sanitise(html: str) -> str:
    """The HTML reduced to the allow-list (unknown tags dropped, their text kept)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
