"""HTTP routes under /media: signed renditions, and originals (files as uploaded; images
re-encoded at full size so that no EXIF or GPS data of an upload is ever served)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from cms import models
from cms.config import Settings
from cms.errors import InvalidInput
from media import specs
from media.renditions import Rendition, Renditions, Signer, signer_for
from media.storage import ORIGINALS, Storage, check_key

IMMUTABLE = "public, max-age=31536000, immutable"
SAFE_HEADERS = {"X-Content-Type-Options": "nosniff"}
_FULL_SIZE_FORMATS = {
    "image/jpeg": specs.Format.JPEG,
    "image/png": specs.Format.PNG,
    "image/webp": specs.Format.WEBP,
    "image/avif": specs.Format.AVIF,
    "image/gif": specs.Format.PNG,  # the first frame; animation is not kept
}


def full_size_spec(image: models.Image) -> specs.Spec:
    """The spec of an image's public original: its own size and format, metadata removed."""
    fmt = _FULL_SIZE_FORMATS.get(image.content_type, specs.Format.WEBP)
    width = min(max(1, image.width), specs.MAX_DIMENSION)
    return specs.Spec(width, 0, specs.Fit.CONTAIN, fmt, specs.DEFAULT_QUALITY[fmt])


def _not_found() -> Response:
    return PlainTextResponse("Not found.", status_code=404)


def _bad_path() -> Response:
    return PlainTextResponse("The media path is not valid.", status_code=400)


def _serve(request: Request, rendition: Rendition) -> Response:
    headers = {"ETag": rendition.etag, "Cache-Control": IMMUTABLE, **SAFE_HEADERS}
    matches = request.headers.get("if-none-match", "")
    if rendition.etag in {tag.strip().removeprefix("W/") for tag in matches.split(",")}:
        return Response(status_code=304, headers=headers)
    return FileResponse(rendition.path, media_type=rendition.content_type, headers=headers)


class MediaRoutes:
    """The handlers of one app, bound to its settings and storage."""

    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self.settings = settings
        self.storage = storage or Storage(settings.data_dir / "media")
        self.renditions = Renditions(self.storage)
        self._signer: Signer | None = None

    @property
    def signer(self) -> Signer:
        if self._signer is None:
            self._signer = signer_for(self.settings)
        return self._signer

    async def rendition(self, request: Request) -> Response:
        signature: str = request.path_params["signature"]
        path: str = request.path_params["path"]
        source, _, name = path.rpartition("/")
        try:
            check_key(path)
        except InvalidInput:
            return _bad_path()
        if not self.signer.verify(path, signature):
            return PlainTextResponse("The rendition signature is not valid.", status_code=403)
        try:
            spec = specs.parse(name)
        except InvalidInput:
            return _not_found()
        rendition = await self.renditions.get(source, spec)
        return _serve(request, rendition) if rendition else _not_found()

    async def original(self, request: Request) -> Response:
        key = f"{ORIGINALS}/{request.path_params['path']}"
        try:
            check_key(key)
        except InvalidInput:
            return _bad_path()
        image = await models.Image.filter(storage_key=key).first()
        if image is not None:
            source = key.removeprefix(f"{ORIGINALS}/")
            rendition = await self.renditions.get(source, full_size_spec(image))
            return _serve(request, rendition) if rendition else _not_found()
        row = await models.File.filter(storage_key=key).first()
        if row is None or not self.storage.exists(key):
            return _not_found()
        disposition = "inline" if row.content_type == "application/pdf" else "attachment"
        headers = {
            "Cache-Control": IMMUTABLE,
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(row.filename)}",
            # Whatever the bytes are, a browser must not run them as a page of this origin.
            "Content-Security-Policy": "default-src 'none'; sandbox",
            **SAFE_HEADERS,
        }
        return FileResponse(self.storage.path(key), media_type=row.content_type, headers=headers)


def media_routes(settings: Settings) -> list[BaseRoute]:
    """The routes to mount at /media."""
    handlers = MediaRoutes(settings)
    methods = ["GET", "HEAD"]
    return [
        Route("/renditions/{signature}/{path:path}", handlers.rendition, methods=methods),
        Route("/originals/{path:path}", handlers.original, methods=methods),
    ]
