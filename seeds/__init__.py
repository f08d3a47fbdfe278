"""The real seed content, its loader, and a synthetic generator for benchmarks."""

from seeds.loader import SeedReport, database_is_empty, load_seed
from seeds.spec import SeedError
from seeds.synthetic import load_synthetic

__all__ = ["SeedError", "SeedReport", "database_is_empty", "load_seed", "load_synthetic"]
