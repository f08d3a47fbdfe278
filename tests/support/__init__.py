"""Helpers the tests share: plain functions and constants, one module per concern.

Fixtures and pytest hooks stay in the conftest.py files; everything a test imports lives here.
"""
