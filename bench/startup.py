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

RUNS = 7
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
import django
django.setup()
import saleor.urls
elapsed = time.perf_counter() - started
import sys
heavy = ("saxonche", "facturx", "pypdf", "PIL", "reportlab", "weasyprint", "lxml")
print(",".join(name for name in heavy if name in sys.modules) or "-")
print(elapsed, extension[0] if extension else 0.0)
"""


def probe(settings_module: str) -> tuple[float, float, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module}
    output = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(output[-2]), float(output[-1]), output[-3]


def main() -> None:
    without, with_plugin, extension_ms = [], [], []
    heavy_without = heavy_with = ""
    for _ in range(RUNS):
        total, _extension, heavy_without = probe("bench.settings_without_plugin")
        without.append(total)
        total, extension, heavy_with = probe("saleor.settings")
        with_plugin.append(total)
        extension_ms.append(extension)
    print(
        f"\nSaleor start-up (django.setup + URLconf with its GraphQL schema), "
        f"median of {RUNS} fresh processes each, interleaved"
    )
    print(f"  without the plugin:        {statistics.median(without):6.2f} s")
    print(f"  with the plugin:           {statistics.median(with_plugin):6.2f} s")
    print(f"  plugin's schema extension: {statistics.median(extension_ms):6.1f} ms")
    print(
        f"  plugin's share:            "
        f"{statistics.median(with_plugin) - statistics.median(without):+6.2f} s"
    )
    print(f"  heavy libraries loaded without the plugin: {heavy_without}")
    print(f"  heavy libraries loaded with the plugin:    {heavy_with}")


if __name__ == "__main__":
    main()
