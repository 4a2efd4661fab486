from dataclasses import dataclass


@dataclass(frozen=True)
class OCIConfiguration:
    """The plugin's Dashboard configuration, parsed and validated."""

    # Where a punched-in buyer is sent; connections may override it.
    storefront_url: str
    # How long a punch-out session stays usable after punch-in.
    session_lifetime_minutes: int
    # Where a product's NZI code is read: a product attribute, else a metadata key
    # of the variant or the product (connections may override per product/category).
    nzi_attribute_slug: str
    nzi_metadata_key: str
