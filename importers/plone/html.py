"""Plone rich text made fit for this CMS: internal links rewritten, active content removed.

Plone stores links between items as `resolveuid/<UID>` (optionally with `../` in front and a
view or image scale behind), so they survive moves. Each becomes the URL of the imported
item: its page path, its news/event/resource address, a file's download URL or an image
rendition. Embedded frames (a YouTube player, say) become a plain link to what they showed,
and what would still be refused as active content is cleaned away and reported.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cms.services.richtext import active_content, sanitise

_ATTRIBUTE = re.compile(r"""(?P<name>\b(?:href|src))\s*=\s*(?P<q>["'])(?P<url>.*?)(?P=q)""", re.I)
_RESOLVEUID = re.compile(
    r"^(?:[^\"'#?]*/)?resolve[uU]id/(?P<uid>[0-9a-fA-F]{32})(?P<rest>[^#?]*)(?P<tail>[#?].*)?$"
)
_SCALE = re.compile(r"^/(?:@@images/image/|image_)(?P<scale>[a-z]+)/?$")
_IFRAME = re.compile(
    r"<\s*iframe\b[^>]*?\bsrc\s*=\s*([\"'])(?P<src>.*?)\1[^>]*>.*?<\s*/\s*iframe\s*>", re.I | re.S
)
_DOWNLOADS = ("/@@download", "/download", "/@@display-file")

# Widths of Plone 6's standard image scales, so `@@images/image/preview` stays about as large.
SCALES = {
    "icon": 32,
    "tile": 64,
    "thumb": 128,
    "mini": 200,
    "preview": 400,
    "teaser": 600,
    "large": 800,
    "larger": 1000,
    "great": 1200,
    "huge": 1600,
}


@dataclass(frozen=True)
class Target:
    """Where a link to an imported item goes: its address, and for images a function that
    gives the rendition URL of a width (None = the full-size original)."""

    url: str
    download_url: str | None = None
    image: Callable[[int | None], str] | None = None


@dataclass
class Rewritten:
    html: str
    unresolved: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _link_for(target: Target, rest: str) -> str:
    rest = rest.rstrip("/")
    if target.image is not None:
        match = _SCALE.match(rest + "/") if rest else None
        width = SCALES.get(match["scale"]) if match else None
        return target.image(width)
    if target.download_url is not None and rest.startswith(
        ("/@@download", "/download", "/@@display-file")
    ):
        return target.download_url
    return target.url


def uid_of(url: str) -> str | None:
    """The UID a `resolveuid` URL names, else None."""
    link = _RESOLVEUID.match(html.unescape(url).strip())
    return link["uid"].lower() if link is not None else None


def referenced_uids(text: str) -> set[str]:
    """The UIDs that `resolveuid` links and image sources of the HTML name."""
    found = (uid_of(match["url"]) for match in _ATTRIBUTE.finditer(text))
    return {uid for uid in found if uid is not None}


def rewrite_links(text: str, resolve: Callable[[str], Target | None]) -> Rewritten:
    """`resolveuid` links and image sources pointed at the imported items; the UIDs that name
    no imported item are kept as they are and listed."""
    result = Rewritten(text)

    def replace(match: re.Match[str]) -> str:
        url = html.unescape(match["url"]).strip()
        found = _RESOLVEUID.match(url)
        if found is None:
            return match[0]
        uid = found["uid"].lower()
        target = resolve(uid)
        if target is None:
            result.unresolved.append(uid)
            return match[0]
        new = _link_for(target, found["rest"])
        if found["tail"] and found["tail"].startswith("#") and target.image is None:
            new += found["tail"]
        return f"{match['name']}={match['q']}{html.escape(new, quote=True)}{match['q']}"

    result.html = _ATTRIBUTE.sub(replace, text)
    return result


def make_safe(text: str) -> tuple[str, list[str]]:
    """The HTML without active content, and what was taken out; frames become links."""
    removed: list[str] = []

    def frame_to_link(match: re.Match[str]) -> str:
        src = html.unescape(match["src"]).strip()
        removed.append("an embedded frame (kept as a link)")
        if src.startswith("//"):
            src = "https:" + src
        safe = html.escape(src, quote=True)
        return f'<p><a href="{safe}">{safe}</a></p>'

    text = _IFRAME.sub(frame_to_link, text)
    found = active_content(text)
    if found is not None:
        removed.append(found)
        text = sanitise(text)
        # Sanitising drops scripts, handlers and unsafe URLs; what text remains that still
        # looks active (say a `javascript:` in prose) is the editor's to fix.
    return text, removed


def plain_to_html(text: str) -> str:
    """Plain text as paragraphs of escaped HTML."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


_BLOCK_TAGS = {"h2", "h3", "h4", "h5", "h6", "p", "blockquote"}


def blocks_to_html(blocks: dict[str, object], layout: object) -> str:
    """The text of Volto slate blocks (Plone 6 pages without `text`) as simple HTML."""
    order = layout.get("items", []) if isinstance(layout, dict) else []
    parts: list[str] = []
    for key in order if isinstance(order, list) else []:
        block = blocks.get(key) if isinstance(key, str) else None
        if not isinstance(block, dict) or block.get("@type") != "slate":
            continue
        plain = block.get("plaintext")
        if not isinstance(plain, str) or not plain.strip():
            continue
        value = block.get("value")
        tag = "p"
        if isinstance(value, list) and value and isinstance(value[0], dict):
            tag = str(value[0].get("type") or "p")
        tag = tag if tag in _BLOCK_TAGS else "p"
        parts.append(f"<{tag}>{html.escape(plain.strip())}</{tag}>")
    return "".join(parts)
