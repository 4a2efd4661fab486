"""Approved purchase orders coming back from the ERP and becoming Saleor orders.

``dataclasses`` is the one internal structure every way in (GraphQL, cXML, UBL) is
read into; the readers of the XML formats need neither Django nor Saleor.
"""
