"""Rich text: refuse active content with a clear message, then sanitise with an allow-list."""

from __future__ import annotations

import re

import nh3

# Deeper nesting than any page needs; html5ever's tree builder scans the stack of open elements
# on many start tags, so its time grows with depth times tags: 40,000 nested <div> took seconds.
MAX_DEPTH = 100

ALLOWED_TAGS = set(
    "p br hr h2 h3 h4 h5 h6 strong b em i u s sub sup small mark abbr cite q blockquote code pre"
    " ul ol li dl dt dd a img figure figcaption table caption thead tbody tfoot tr th td"
    " span div".split()
)
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
    # `[^<>]`, not `[^>]`: each `<` scans only to the next one, so a run of `<` without `>`
    # costs linear time (with `[^>]` every `<` scanned to the end: 60,000 `<` took 22 s).
    (re.compile(r"<[^<>]*\son[a-z]+\s*=", re.I), "an event handler attribute (on…=)"),
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


_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
_VOID = frozenset(
    "area base br col embed hr img input keygen link meta param source track wbr".split()
)
# HTML's "special" elements: an end tag of another element never closes past one of them.
_SPECIAL = frozenset(
    "address applet area article aside base basefont bgsound blockquote body br button caption "
    "center col colgroup dd details dir div dl dt embed fieldset figcaption figure footer form "
    "frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe img input keygen li "
    "link listing main marquee menu meta nav noembed noframes noscript object ol p param "
    "plaintext pre script search section select source style summary table tbody td template "
    "textarea tfoot th thead title tr track ul wbr xmp"
    # MathML and SVG integration points are special too (tag names compared in lower case).
    " mi mo mn ms mtext annotation-xml foreignobject desc".split()
)
# Scope boundaries: an end tag of a special element never closes past one of them.
_BOUNDARY = frozenset(
    "applet caption html table td th marquee object template button"
    " mi mo mn ms mtext annotation-xml foreignobject desc title".split()
)
# Table scope: parts of a table never close past another table or a template.
_TABLES = frozenset({"table", "template", "html"})
# Start tags that close an open element of the same name (an unclosed <p>, <li>, …), and how
# far: past no special element (`barrier`; the parser may close farther, so this errs towards
# depth), within its table (`table`), or only the current element (`top`).
_REOPENS: dict[str, str | None] = {
    "p": "barrier",
    "li": "barrier",
    "dt": "barrier",
    "dd": "barrier",
    "option": "top",
    **{part: "table" for part in ("tr", "td", "th", "tbody", "thead", "tfoot")},
}
# Parts of a table close (and are closed) within their own table, whatever lies between.
_TABLE_PARTS = frozenset(
    {"table", "caption", "colgroup", "tbody", "thead", "tfoot", "tr", "td", "th"}
)
# End tags that the parser ignores when a special element lies between (list item scope is
# narrower than the default scope; counting it as the barrier errs towards depth).
_NARROW_END = frozenset({"li", "dt", "dd"})


def nesting_depth(html: str, limit: int = MAX_DEPTH) -> int:
    """How deep the HTML's elements nest, an upper bound in one linear pass; stops past `limit`.

    It follows the HTML parser where a miscount could hide depth (an end tag does not close
    past a special element, so `<span><div></span>` still nests) and counts high where it is
    simpler (tags inside comments or attribute values count as tags).
    """
    names: list[str] = []
    # Per open element, the index of the nearest special element (`barrier`) and of the
    # nearest scope boundary (`scope`) at or below it: each check is O(1), so the pass is linear.
    fences: dict[str | None, list[int]] = {"barrier": [], "scope": [], "table": []}
    where: dict[str, list[int]] = {}  # element name -> its indexes in `names`, innermost last
    deepest = 0

    def pop_to(index: int) -> None:
        while len(names) > index:
            where[names.pop()].pop()
            fences["barrier"].pop()
            fences["scope"].pop()
            fences["table"].pop()

    def open_index(name: str, fence: str | None) -> int | None:
        """The innermost open `name` that no fence element separates from the top, if any."""
        found = where.get(name)
        if not found:
            return None
        index = found[-1]
        if fence == "top":
            return index if index == len(names) - 1 else None
        fenced = fences.get(fence)
        if fenced and fenced[-1] > index:  # the element itself may be the fence
            return None
        return index

    for match in _TAG.finditer(html):
        name = match[2].lower()
        if match[1]:
            if name in _TABLE_PARTS:
                fence = "table"
            elif name in _NARROW_END or name not in _SPECIAL:
                fence = "barrier"
            else:
                fence = "scope"
            index = open_index(name, fence)
            if index is not None:
                pop_to(index)
            continue
        if name in _VOID:
            continue
        if name in _REOPENS:
            index = open_index(name, _REOPENS[name])
            if index is not None:
                pop_to(index)
        position = len(names)
        names.append(name)
        where.setdefault(name, []).append(position)
        for fence, members in (("barrier", _SPECIAL), ("scope", _BOUNDARY), ("table", _TABLES)):
            stack = fences[fence]
            stack.append(position if name in members else (stack[-1] if stack else -1))
        deepest = max(deepest, len(names))
        if deepest > limit:
            break
    return deepest
