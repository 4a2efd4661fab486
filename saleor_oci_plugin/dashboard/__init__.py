"""The Dashboard console: a Saleor App whose extensions are pages this plugin serves.

``manifest`` describes the App, ``install`` registers it (``manage.py oci_dashboard``),
``views`` serves the manifest and the HTML shells with their JavaScript and CSS.
The pages hold no data: they get a token through the App Bridge handshake and call
Saleor's ``/graphql/`` with it, where Saleor checks every permission.
"""
