"""Fixtures for the core tier; no Django (the core tier runs without it)."""

import socket

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis's deadline and "too slow" health check are timings: on a busy or cold
# machine they fail tests whose properties hold. Speed is for the benchmarks.
settings.register_profile(
    "timing-free", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("timing-free")


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
