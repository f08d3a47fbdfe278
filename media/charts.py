"""SVG charts of the protected gender-data comparisons, made by matplotlib, cached on disk.

A chart shows only what the public may see (the protected network aggregates), so its URL needs
no signature or token. Four kinds: for one year the share of women by grade, the scissors
diagram over career stages and the recruitment funnel (`<kind>-<year>.svg`); for a range of
years the trend of the share of women by grade (`trend-<from>-<to>.svg`, at most
`MAX_TREND_YEARS`). Each has a text alternative with every figure it draws (`alt_text`).

The file is named by the framework's data version and protection settings: validating or
correcting figures, or publishing a version, bumps the data version, so the next request
renders anew and removes the older files of that chart. The cache keeps within
`CMS_CHART_STORE_MB`, the oldest files evicted first (as the rendition store does). Renders
run in a worker thread, at most `CMS_RENDITION_CONCURRENCY` at once, and only for a known
framework, chart kind and years of a published version, so an anonymous caller can fill
neither the disk nor the CPU.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path

import anyio
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from cms import models
from cms.config import Settings
from cms.services import genderdata
from cms.services.statistics import Aggregate, share

log = logging.getLogger(__name__)

YEAR_KINDS = ("share-by-grade", "scissors", "funnel")
KINDS = (*YEAR_KINDS, "trend")
MAX_TREND_YEARS = 30
NAME = re.compile(r"^(share-by-grade|scissors|funnel)-(\d{4})\.svg$")
TREND = re.compile(r"^trend-(\d{4})-(\d{4})\.svg$")
TITLES = {
    "share-by-grade": "Share of women by grade",
    "scissors": "Women and men by career stage",
    "funnel": "Share of women by recruitment stage",
    "trend": "Share of women by grade over the years",
}
LOW_WATER = 0.9  # eviction frees the cache down to this share of its budget
SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
}


def _women(aggregate: Aggregate | None, row: str) -> float | None:
    if aggregate is None:
        return None
    return share(aggregate.cell(row, "women"), aggregate.row_total(row))


def _rows_in_words(aggregate: Aggregate, noun: str) -> str:
    parts = []
    for row in aggregate.rows:
        value = _women(aggregate, row)
        shown = "suppressed (small numbers)" if value is None else f"{value:.0%} women"
        parts.append(f"{noun}{row}: {shown}")
    return "; ".join(parts)


def alt_text(kind: str, year: int, aggregate: Aggregate | None) -> str:
    """A one-year chart's text alternative: every figure it draws, in words."""
    if aggregate is None or aggregate.table is None:
        return f"{year}: too few institutes reported for network figures to be shown."
    noun = "" if kind == "funnel" else "grade "
    return f"{TITLES[kind]}, {year}: {_rows_in_words(aggregate, noun)}."


def trend_alt_text(from_year: int, to_year: int, years: dict[int, Aggregate | None]) -> str:
    """The trend chart's text alternative: each year's shares, or why there are none."""
    parts = []
    for year in range(from_year, to_year + 1):
        aggregate = years.get(year)
        if aggregate is None or aggregate.table is None:
            parts.append(f"{year}: no network figures (too few institutes)")
        else:
            parts.append(f"{year}: {_rows_in_words(aggregate, 'grade ')}")
    return f"{TITLES['trend']}, {from_year}–{to_year}: " + "; ".join(parts) + "."


def _percent(values: Sequence[float | None]) -> list[float]:
    gap = float("nan")  # a suppressed figure is a gap, never a zero
    return [gap if v is None else v * 100 for v in values]


def render(kind: str, title: str, aggregate: Aggregate | None) -> bytes:
    """A one-year chart (matplotlib's SVG backend, no display needed)."""
    from matplotlib.figure import Figure  # heavy: imported on first render, not at start-up

    figure = Figure(figsize=(6, 3.5))
    axes = figure.subplots()
    rows = list(aggregate.rows) if aggregate else []
    women = [_women(aggregate, r) for r in rows]
    if kind in ("share-by-grade", "funnel"):
        colour = "#7b3294" if kind == "share-by-grade" else "#008837"
        axes.bar(rows, [0 if w is None else w * 100 for w in women], color=colour)
        for x, w in enumerate(women):
            if w is None:
                axes.text(x, 2, "suppressed", rotation=90, ha="center", va="bottom", fontsize=8)
        axes.set_ylabel("women (%)")
    else:
        order = [r for r in ("doctoral", "D", "C", "B", "A") if r in rows]
        points = [women[rows.index(r)] for r in order]
        axes.plot(order, _percent(points), "o-", label="women")
        others = [None if w is None else 1 - w for w in points]
        axes.plot(order, _percent(others), "s-", label="men and others")
        axes.legend()
        axes.set_ylabel("%")
    axes.set_ylim(0, 100)
    axes.set_title(title)
    return _svg(figure)


def render_trend(title: str, years: dict[int, Aggregate | None]) -> bytes:
    """One line per grade over the years; a suppressed or missing year is a gap."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 3.5))
    axes = figure.subplots()
    xs = sorted(years)
    grades = next((a.rows for a in years.values() if a is not None), ())
    for grade in grades:
        axes.plot(xs, _percent([_women(years[y], grade) for y in xs]), "o-", label=grade)
    if grades:
        axes.legend(fontsize=8)
    axes.set_xticks(xs)
    axes.set_ylim(0, 100)
    axes.set_ylabel("women (%)")
    axes.set_title(title)
    return _svg(figure)


def _svg(figure: object) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None})  # type: ignore[attr-defined]
    return out.getvalue()


def chart_url(tenant_slug: str, code: str, kind: str, year: int) -> str:
    return f"/media/charts/{tenant_slug}/{code}/{kind}-{year}.svg"


def trend_url(tenant_slug: str, code: str, from_year: int, to_year: int) -> str:
    return f"/media/charts/{tenant_slug}/{code}/trend-{from_year}-{to_year}.svg"


class ChartStore:
    """Cached SVGs of one data dir, within a disk budget: the oldest files go first."""

    def __init__(self, root: Path, budget_bytes: int) -> None:
        self.root = root
        self.budget_bytes = budget_bytes
        self._lock = threading.Lock()

    def store(self, folder: Path, stem: str, path: Path, svg: bytes) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{stem}.*.svg"):
            old.unlink(missing_ok=True)  # the data changed: earlier renders are stale
        partial = path.with_suffix(".tmp")
        partial.write_bytes(svg)
        partial.replace(path)
        self._evict(keep=path)

    def _evict(self, keep: Path) -> None:
        with self._lock:
            files = []
            for directory, _, names in os.walk(self.root):
                for name in names:
                    if name.endswith(".svg"):
                        file = Path(directory, name)
                        try:
                            stat = file.stat()
                        except FileNotFoundError:
                            continue
                        files.append((stat.st_mtime, file, stat.st_size))
            used = sum(size for _, _, size in files)
            if used <= self.budget_bytes:
                return
            target = int(self.budget_bytes * LOW_WATER)
            for _, file, size in sorted(files):
                if used <= target:
                    break
                if file != keep:
                    file.unlink(missing_ok=True)
                    used -= size
            log.info("chart cache over budget: %d bytes left", used)


class ChartRoutes:
    def __init__(self, settings: Settings) -> None:
        self.files = ChartStore(settings.data_dir / "charts", settings.chart_store_mb * 1024**2)
        self.slots = asyncio.Semaphore(settings.rendition_concurrency)

    async def chart(self, request: Request) -> Response:
        name = request.path_params["name"]
        slug, code = request.path_params["tenant"], request.path_params["code"]
        year_chart, trend = NAME.match(name), TREND.match(name)
        if (year_chart is None and trend is None) or len(slug) > 64 or len(code) > 64:
            return _missing()
        framework = await models.DataFramework.get_or_none(tenant__slug=slug, code=code)
        if framework is None:
            return _missing()
        if year_chart is not None:
            kind, first = year_chart.group(1), int(year_chart.group(2))
            last = first
        else:
            assert trend is not None
            kind, first, last = "trend", int(trend.group(1)), int(trend.group(2))
            if not 0 <= last - first < MAX_TREND_YEARS:
                return _missing()
        if not await genderdata.covers(framework, first, last):
            return _missing()
        folder = self.files.root / str(framework.id)
        stem = name.removesuffix(".svg")
        key = f"v{framework.data_version}-t{framework.threshold}-m{framework.min_institutes}"
        path = folder / f"{stem}.{key}.svg"
        if not path.exists():
            async with self.slots:
                if not path.exists():
                    svg = await self._render(framework, kind, first, last)
                    await anyio.to_thread.run_sync(self.files.store, folder, stem, path, svg)
        headers = {"ETag": f'"{key}"', "Cache-Control": "public, max-age=60", **SAFE_HEADERS}
        return Response(path.read_bytes(), media_type="image/svg+xml", headers=headers)

    async def _render(
        self, framework: models.DataFramework, kind: str, first: int, last: int
    ) -> bytes:
        indicator = "recruitment" if kind == "funnel" else "staff"
        found = await genderdata.network_range(framework, first, last, indicator)
        years: dict[int, Aggregate | None] = dict(found[1].per_year) if found else {}
        if kind == "trend":
            title = f"{TITLES[kind]}, {first}–{last}"
            return await anyio.to_thread.run_sync(render_trend, title, years)
        return await anyio.to_thread.run_sync(
            render, kind, f"{TITLES[kind]}, {first}", years.get(first)
        )


def _missing() -> Response:
    return PlainTextResponse("Not found.", status_code=404, headers=SAFE_HEADERS)


def chart_routes(settings: Settings) -> list[BaseRoute]:
    handlers = ChartRoutes(settings)
    return [Route("/charts/{tenant}/{code}/{name}", handlers.chart, methods=["GET", "HEAD"])]
