"""Benchmarks, each printing its reference point beside our figure."""
