"""One error hierarchy (docs/architecture.md): every exception class TARSy defines derives from
``tarsy.errors.TarsyError``, except the few control-flow signals listed here with their reason."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import tarsy
from tarsy.errors import TarsyError

# Signals that must not be caught as errors by ``except TarsyError``; each says why.
SIGNALS = {
    # Stops the app from reading an oversized body inside the middleware; never reaches a handler.
    "tarsy.api.body_limit._BodyTooLarge",
    # Raised into a running session's task to cancel it; the runner turns it into a status.
    "tarsy.runtime.runner.CancelRequested",
}


def _exception_classes() -> list[str]:
    found: list[str] = []
    for info in pkgutil.walk_packages(tarsy.__path__, "tarsy."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            ours = inspect.isclass(value) and value.__module__ == info.name
            if ours and issubclass(value, BaseException) and not issubclass(value, TarsyError):
                found.append(f"{info.name}.{name}")
    return sorted(found)


def test_every_exception_class_is_a_tarsy_error() -> None:
    assert _exception_classes() == sorted(SIGNALS)
