"""Videos at YouTube or Vimeo: provider, video id and a privacy-friendly embed URL from a link.

The embed URLs set no tracking cookies before playing: youtube-nocookie.com for YouTube and
`dnt=1` for Vimeo. A write rule of the core: the content service applies it to every video's
source URL, whoever writes it (API, seeds, importers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

_YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "music.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")
_VIMEO_HASH = re.compile(r"^[0-9a-f]{6,20}$")


@dataclass(frozen=True)
class VideoSource:
    """What a provider link names."""

    provider: str  # "youtube" or "vimeo", as cms.models.VideoProvider
    video_id: str
    embed_url: str


def parse_video_url(url: str) -> VideoSource | None:
    """The YouTube or Vimeo video a link points to; None for anything else."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    segments = [s for s in parts.path.split("/") if s]
    if host in _YOUTUBE_HOSTS or host == "youtu.be":
        return _youtube(host, segments, parse_qs(parts.query))
    if host in _VIMEO_HOSTS:
        return _vimeo(host, segments, parse_qs(parts.query))
    return None


def _youtube(host: str, segments: list[str], query: dict[str, list[str]]) -> VideoSource | None:
    candidate: str | None = None
    if host == "youtu.be":
        candidate = segments[0] if segments else None
    elif segments[:1] == ["watch"]:
        candidate = next(iter(query.get("v", [])), None)
    elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "live", "v"):
        candidate = segments[1]
    if candidate is None or not _YOUTUBE_ID.match(candidate):
        return None
    return VideoSource("youtube", candidate, f"https://www.youtube-nocookie.com/embed/{candidate}")


def _vimeo(host: str, segments: list[str], query: dict[str, list[str]]) -> VideoSource | None:
    if host == "player.vimeo.com":
        segments = segments[1:] if segments[:1] == ["video"] else []
    elif segments[:1] == ["video"]:
        segments = segments[1:]
    numeric = [s for s in segments if _VIMEO_ID.match(s)]
    if not numeric:
        return None
    video_id = numeric[-1]
    after = segments[segments.index(video_id) + 1 :]
    private = next(iter(query.get("h", [])), None) or (after[0] if after else None)
    embed = f"https://player.vimeo.com/video/{video_id}?dnt=1"
    if private and _VIMEO_HASH.match(private):
        embed += f"&h={private}"  # an unlisted video needs its hash to play
    return VideoSource("vimeo", video_id, embed)
