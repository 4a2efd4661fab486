"""Packaging facts that Saleor's plugin discovery depends on."""

import importlib.metadata

import saleor_oci_plugin


def test_entry_point_is_named_after_the_package():
    # Saleor appends the entry point's *name* to INSTALLED_APPS: any other name would
    # leave the app (models, migrations) uninstalled.
    entry_points = importlib.metadata.entry_points(group="saleor.plugins")
    ours = {entry.name: entry.value for entry in entry_points}
    assert ours.get(saleor_oci_plugin.__name__) == "saleor_oci_plugin.plugin:OCIPlugin"


def test_requirements_fit_saleor_3_23():
    distribution = importlib.metadata.distribution("saleor-oci-plugin")
    assert distribution.metadata["Requires-Python"] == ">=3.12,<3.13"
    requirements = distribution.requires or []
    assert any(line.startswith("lxml") and "<5" in line for line in requirements)
