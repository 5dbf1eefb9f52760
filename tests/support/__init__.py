"""Test-only helpers (real throwaway servers and the like) shared by the test suite.

This is a package rather than a ``conftest.py`` so that the helpers can be imported,
type-checked with ``mypy --strict`` and reused by fixtures in several test modules.
"""
