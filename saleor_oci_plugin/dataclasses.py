from dataclasses import dataclass


@dataclass(frozen=True)
class InvoicingConfiguration:
    """The seller's data and the rules for issuing UBL invoices.

    Empty text means "not configured": the plugin works for punch-out without it,
    and an invoice request fails with the missing fields named.
    """

    seller_name: str
    seller_street: str
    seller_city: str
    seller_postcode: str
    # ISO 3166-1 alpha-2.
    seller_country: str
    seller_kvk_number: str
    # With its country prefix, upper case, no spaces.
    seller_vat_number: str
    # Upper case, no spaces.
    seller_iban: str
    seller_peppol_endpoint_id: str
    seller_peppol_endpoint_scheme: str
    # Invoice numbers are "<prefix><year>-<sequence>", one gap-free series each.
    number_prefix: str
    payment_terms_days: int
    # Compiled XSLT rule sets (producing SVRL) run after EN 16931.
    extra_rule_sets: tuple[str, ...]
    # The name in default_storage of the logo on invoice PDFs; empty: no logo.
    seller_logo: str = ""


@dataclass(frozen=True)
class DashboardConfiguration:
    """Where the Dashboard console is served and who may frame it."""

    # Absolute http(s) URL under which the shop's Saleor is reachable from the
    # operators' browsers (and from Saleor itself, for appInstall), without a
    # trailing slash; empty: the console is not set up.
    public_url: str = ""
    # Origin of the Saleor Dashboard (scheme://host[:port]); the console's pages may
    # only be framed by it and only accept App Bridge messages from it.
    dashboard_origin: str = ""


@dataclass(frozen=True)
class CardFormat:
    """The printed greeting card: its trimmed size, the bleed around it, and the
    limits a card text is checked against when it is set."""

    width_mm: float = 148.0
    height_mm: float = 105.0
    # Printed beyond the trim on every side, so that a cut a little off the line
    # leaves no white edge.
    bleed_mm: float = 3.0
    max_lines: int = 8
    max_line_characters: int = 60


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
    # Grouped: only invoice issuing reads these.
    invoicing: InvoicingConfiguration
    # The Dashboard console (an App with extensions).
    dashboard: DashboardConfiguration = DashboardConfiguration()
    # Greeting cards: size, bleed and text limits.
    cards: CardFormat = CardFormat()
