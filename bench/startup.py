"""What the plugin adds to Saleor's start-up.

In fresh processes, alternately with and without the plugin: Django set-up plus the
URLconf import (which builds Saleor's GraphQL schema and, with the plugin, extends
it). The whole start-up varies by more than the plugin's share, so the plugin's own
step (importing its GraphQL modules and extending the built schema) is also timed
inside the process. It also lists the heavy libraries (XSLT, PDF, image) loaded
by the end of start-up with and without the plugin: the plugin must add none
(saxonche and factur-x are loaded only by the validator process, lazily). Run
with bench/run-saleor.
"""

import os
import statistics
import subprocess
import sys
from typing import NamedTuple

RUNS = 11
PROBE = """
import logging, time
extension = []
class Keep(logging.Handler):
    def emit(self, record):
        extension.append(record.args[0])
logger = logging.getLogger("saleor_oci_plugin.apps")
logger.addHandler(Keep())
logger.setLevel(logging.DEBUG)
started = time.perf_counter()
cpu_started = time.process_time()
import django
django.setup()
import saleor.urls
elapsed = time.perf_counter() - started
cpu = time.process_time() - cpu_started
import sys
heavy = ("saxonche", "facturx", "pypdf", "PIL", "reportlab", "weasyprint", "lxml")
print(",".join(name for name in heavy if name in sys.modules) or "-")
print(elapsed, cpu, extension[0] if extension else 0.0)
"""


class Probe(NamedTuple):
    wall: float  # seconds
    cpu: float  # seconds of this process's CPU (user + system)
    extension_ms: float
    heavy: str  # heavy libraries loaded by the end of start-up


def probe(settings_module: str) -> Probe:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module}
    heavy, wall, cpu, extension = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-4:]
    return Probe(float(wall), float(cpu), float(extension), heavy)


def main() -> None:
    without: list[Probe] = []
    with_plugin: list[Probe] = []
    for _ in range(RUNS):
        without.append(probe("bench.settings_without_plugin"))
        with_plugin.append(probe("saleor.settings"))

    def median(probes: list[Probe], field: str) -> float:
        return statistics.median(getattr(probe, field) for probe in probes)

    def share(field: str) -> float:
        # Paired differences: each pair ran back to back, so a busy machine's
        # slow spells mostly cancel out.
        return statistics.median(
            getattr(plugged, field) - getattr(bare, field)
            for plugged, bare in zip(with_plugin, without, strict=True)
        )

    print(
        f"\nSaleor start-up (django.setup + URLconf with its GraphQL schema), "
        f"median of {RUNS} fresh processes each, interleaved"
    )
    print("                              wall      CPU")
    for label, probes in (
        ("without the plugin", without),
        ("with the plugin", with_plugin),
    ):
        print(
            f"  {label + ':':27} {median(probes, 'wall'):6.2f} s "
            f"{median(probes, 'cpu'):6.2f} s"
        )
    print(
        f"  {'plugin share (paired):':27} {share('wall'):+6.2f} s "
        f"{share('cpu'):+6.2f} s"
    )
    print(
        f"  plugin's schema extension:  {median(with_plugin, 'extension_ms'):6.1f} ms"
    )
    print(f"  heavy libraries loaded without the plugin: {without[-1].heavy}")
    print(f"  heavy libraries loaded with the plugin:    {with_plugin[-1].heavy}")


if __name__ == "__main__":
    main()
