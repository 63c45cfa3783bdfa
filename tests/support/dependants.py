"""Test apps override dependencies (tests/conftest.py `app`: the request's session joins the test's
rolled-back transaction), and while `app.dependency_overrides` is not empty FastAPI builds every
sub-dependency of every request afresh (`solve_dependencies` calls `get_dependant`: signatures
read, pydantic adapters made), a third of a test request's time. `dependants_remembered` keeps
what `get_dependant` built for the same arguments, as FastAPI keeps a route's own dependants when
nothing is overridden: the requests are answered the same, only sooner.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.dependencies import utils
from fastapi.dependencies.models import Dependant


def _key(arguments: dict[str, Any]) -> tuple:
    """The arguments, hashable (scopes come as lists); callables and the rest by identity."""
    items = sorted(arguments.items())
    return tuple((name, tuple(value) if isinstance(value, list) else value) for name, value in items)


@contextmanager
def dependants_remembered() -> Iterator[None]:
    original = utils.get_dependant
    built: dict[tuple, Dependant] = {}

    def get_dependant(**arguments: Any) -> Dependant:
        key = _key(arguments)
        if key not in built:
            built[key] = original(**arguments)
        return built[key]

    utils.get_dependant = get_dependant
    try:
        yield
    finally:
        utils.get_dependant = original
