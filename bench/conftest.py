"""Saleor benchmarks run with the saleor test tier's set-up and fixtures."""

from tests.saleor.conftest import *  # noqa: F403
from tests.saleor.conftest import pytest_plugins  # noqa: F401
