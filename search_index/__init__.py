"""Full-text search over the content (Whoosh behind a small interface of our own)."""

from search_index.query import Filters, Hit, SearchPage, decode_cursor, encode_cursor
from search_index.service import Found, Results, SearchService, hydrate, index_dir
from search_index.visibility import Audience, SearchScope

__all__ = [
    "Audience",
    "Filters",
    "Found",
    "Hit",
    "Results",
    "SearchPage",
    "SearchScope",
    "SearchService",
    "decode_cursor",
    "encode_cursor",
    "hydrate",
    "index_dir",
]
