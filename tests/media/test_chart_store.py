"""The chart cache keeps within its disk budget, the oldest files going first, and a chart's
new render replaces its stale files."""

import os
from pathlib import Path

from cms.config import Settings
from media.charts import ChartStore


def test_the_oldest_charts_are_evicted_past_the_budget(tmp_path: Path) -> None:
    store = ChartStore(tmp_path, budget_bytes=1000)
    folder = tmp_path / "1"
    paths = []
    for age, stem in enumerate(("trend-2020-2024", "funnel-2024", "scissors-2024")):
        path = folder / f"{stem}.v1-t5-m3.svg"
        store.store(folder, stem, path, b"<svg>" + b" " * 395)
        os.utime(path, (1_000_000 + age, 1_000_000 + age))  # oldest first
        paths.append(path)
        if age == 1:
            assert all(p.exists() for p in paths)  # 800 bytes: within the budget
    assert not paths[0].exists()  # 1200 bytes: the oldest went, down to 90% of the budget
    assert paths[1].exists() and paths[2].exists()


def test_a_new_render_replaces_the_stale_files_of_its_chart(tmp_path: Path) -> None:
    store = ChartStore(tmp_path, budget_bytes=10_000)
    folder = tmp_path / "1"
    old, new = folder / "funnel-2024.v1-t5-m3.svg", folder / "funnel-2024.v2-t5-m3.svg"
    store.store(folder, "funnel-2024", old, b"<svg/>")
    store.store(folder, "funnel-2024", new, b"<svg></svg>")
    assert not old.exists() and new.read_bytes() == b"<svg></svg>"


def test_the_budget_is_a_setting() -> None:
    assert Settings.from_env({"CMS_CHART_STORE_MB": "3"}).chart_store_mb == 3
    assert Settings.from_env({}).chart_store_mb == 64
