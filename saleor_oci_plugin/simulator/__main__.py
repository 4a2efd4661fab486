"""``python -m saleor_oci_plugin.simulator``: the same as ``oci-simulator``."""

from .cli import main

raise SystemExit(main())
