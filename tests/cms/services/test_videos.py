"""Video links: the YouTube or Vimeo video a link names, and its privacy-friendly embed URL."""

from __future__ import annotations

import pytest

from cms.services.videos import parse_video_url


@pytest.mark.parametrize(
    ("url", "provider", "video_id", "embed"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42", "youtube", "dQw4w9WgXcQ",
         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ?si=abc", "youtube", "dQw4w9WgXcQ",
         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ",
         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://youtube.com/shorts/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ",
         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "vimeo", "76979871",
         "https://player.vimeo.com/video/76979871?dnt=1"),
        ("https://vimeo.com/76979871/8a9b7c6d5e", "vimeo", "76979871",
         "https://player.vimeo.com/video/76979871?dnt=1&h=8a9b7c6d5e"),
        ("https://player.vimeo.com/video/76979871?h=8a9b7c6d5e", "vimeo", "76979871",
         "https://player.vimeo.com/video/76979871?dnt=1&h=8a9b7c6d5e"),
    ],
)  # fmt: skip
def test_video_links(url, provider, video_id, embed):
    source = parse_video_url(url)
    assert source is not None
    assert (source.provider, source.video_id, source.embed_url) == (provider, video_id, embed)


@pytest.mark.parametrize(
    "url",
    ["https://example.org/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/watch?v=short",
     "javascript:alert(1)", "https://vimeo.com/channels/staffpicks", "not a url", ""],
)  # fmt: skip
def test_other_links_name_no_video(url):
    assert parse_video_url(url) is None
