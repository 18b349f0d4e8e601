"""The harness: CLI, runs, caching and reports."""

__version__ = "0.1.0"
