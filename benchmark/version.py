"""The arabench version (a module of its own, so harness modules read it without importing the package)."""

__version__ = "0.1.0"
