"""The words of an uploaded PDF, for search: the first pages, within a page, character and time
budget. Pure work over bytes (pypdf is CPU-bound: run it in a worker thread); `PdfProblem`
says what is wrong.
"""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass

from cms.config import Settings
from cms.errors import ErrorCode

log = logging.getLogger("cms.media")


class PdfProblem(ValueError):
    """Bytes that say they are a PDF but cannot be read; `code` says why."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PdfLimits:
    """How much of a PDF's text is extracted: the first pages, up to a number of characters,
    within a time budget checked between pages (a crafted page can be slow to read)."""

    pages: int = 200
    chars: int = 1_000_000  # enough for a long report; keeps one row from swamping search
    seconds: float = 10.0

    @classmethod
    def of(cls, settings: Settings) -> PdfLimits:
        return cls(settings.pdf_max_pages, settings.pdf_max_chars, settings.pdf_max_seconds)


DEFAULT_LIMITS = PdfLimits()


def pdf_text(data: bytes, limits: PdfLimits = DEFAULT_LIMITS) -> str:
    """The words of a PDF's first pages, within `limits`; a PDF pypdf cannot read (including
    one that reaches pypdf's own limits) is a PdfProblem."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    deadline = time.monotonic() + limits.seconds
    parts: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return ""  # kept, but its words stay out of search
        size = 0
        for number, page in enumerate(reader.pages):
            if number >= limits.pages or size >= limits.chars:
                break
            if number > 0 and time.monotonic() >= deadline:
                log.info("PDF text cut at page %d: over %.1f s", number, limits.seconds)
                break
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
    except DependencyError:
        return ""  # encrypted with a cipher we cannot read: kept without its words
    except Exception as error:  # any failure of the parser on these bytes: a damaged file
        log.info("unreadable PDF: %s: %s", type(error).__name__, error)
        raise PdfProblem(ErrorCode.DAMAGED_FILE, "The PDF is damaged and cannot be read.") from None
    text = "\n".join(p.strip() for p in parts if p.strip())
    return text.replace("\x00", "")[: limits.chars]
