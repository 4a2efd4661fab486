"""SAP OCI punch-out round trip for Saleor 3.23.

Importing the package imports nothing else, so that ``saleor_oci_plugin.oci`` (the
protocol codec) can be used without Django or Saleor.
"""

PLUGIN_ID = "oci.punchout"
