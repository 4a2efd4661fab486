"""Running code right after a module is imported, without importing it earlier."""

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType


class _RunAfterExec(importlib.abc.Loader):
    def __init__(
        self, loader: importlib.abc.Loader, callback: Callable[[ModuleType], None]
    ):
        self.loader = loader
        self.callback = callback

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        self.callback(module)

    def __getattr__(self, name: str):
        # get_source, get_code, ...: tracebacks and inspect keep working.
        return getattr(self.loader, name)


class _AfterImport(importlib.abc.MetaPathFinder):
    def __init__(self, name: str, callback: Callable[[ModuleType], None]):
        self.name = name
        self.callback = callback

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)  # one-shot: let the ordinary finders find it
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _RunAfterExec(spec.loader, self.callback)
        return spec


def call_after_import(name: str, callback: Callable[[ModuleType], None]) -> None:
    """Call ``callback(module)`` once module ``name`` is imported, or now if it is.

    Lets the plugin extend Saleor's schema only in processes that build it (web
    workers, tests), and costs nothing in those that never do (Celery, migrate).
    """
    module = sys.modules.get(name)
    if module is not None:
        callback(module)
    else:
        sys.meta_path.insert(0, _AfterImport(name, callback))
