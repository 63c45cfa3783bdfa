"""Issue 27: being written (helper B)."""

from axolotly.jobs.registry import blueprint  # noqa: F401  (the worker imports this module)
