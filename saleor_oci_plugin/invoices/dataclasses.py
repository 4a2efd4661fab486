"""An invoice or credit note as plain data, independent of Saleor.

The Saleor glue fills these from an order; ``ubl.build_ubl`` turns them into UBL
2.1. Amounts, quantities and rates are ``Decimal`` (floats are refused: binary
fractions do not add up to the cent). Optional text that is empty or only
whitespace counts as absent, so it never becomes an empty XML element.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

# ISO/IEC 6523 ICD codes (legal IDs) and Peppol EAS codes (endpoints) used in NL.
KVK_SCHEME = "0106"
OIN_SCHEME = "0190"
DUTCH_LEGAL_ID_SCHEMES = frozenset({KVK_SCHEME, OIN_SCHEME})

# UNTDID 7143 "mutually defined": the NZI cost-type code has no code of its own.
NZI_CLASSIFICATION_LIST_ID = "ZZZ"

PEPPOL_BILLING_PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


class DocumentKind(enum.StrEnum):
    """UNTDID 1001 document type code; each has its own UBL root element."""

    INVOICE = "380"
    CREDIT_NOTE = "381"


class Customization(enum.Enum):
    """The specification a document claims to follow (BT-24) and its profile (BT-23).

    Both carry Peppol's billing profile: SI-UBL 2.0 documents travel over the
    Peppol network too, and receivers route on the profile.
    """

    SI_UBL_2_0 = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
    PEPPOL_BIS_3 = (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )

    @property
    def customization_id(self) -> str:
        return self.value

    @property
    def profile_id(self) -> str:
        return PEPPOL_BILLING_PROFILE_ID


class VatCategory(enum.StrEnum):
    """UNTDID 5305 VAT category codes that EN 16931 allows (the ones we build)."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"


class PaymentMeansCode(enum.StrEnum):
    """UNTDID 4461 codes for payment by transfer to the seller's IBAN."""

    CREDIT_TRANSFER = "30"
    SEPA_CREDIT_TRANSFER = "58"


def _text(value: str | None) -> str | None:
    """Optional text as stored: stripped, and None when nothing is left."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _decimal(value: Decimal, name: str) -> Decimal:
    if not isinstance(value, Decimal) or isinstance(value, bool):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value}")
    return value


def _strip_fields(instance: object, *names: str) -> None:
    # Frozen dataclasses: normalise through object.__setattr__ in __post_init__.
    for name in names:
        object.__setattr__(instance, name, _text(getattr(instance, name)))


@dataclass(frozen=True)
class Address:
    """A postal address; ``country`` is the ISO 3166-1 alpha-2 code."""

    street: str
    city: str
    postcode: str
    country: str
    additional_street: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "street", self.street.strip())
        object.__setattr__(self, "city", self.city.strip())
        object.__setattr__(self, "postcode", self.postcode.strip())
        object.__setattr__(self, "country", self.country.strip().upper())
        _strip_fields(self, "additional_street")


@dataclass(frozen=True)
class Endpoint:
    """Electronic address (BT-34 / BT-49) with its Peppol EAS scheme, e.g. 0106."""

    identifier: str
    scheme: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "identifier", self.identifier.strip())
        object.__setattr__(self, "scheme", self.scheme.strip())


@dataclass(frozen=True)
class Party:
    """Seller or buyer.

    ``legal_id`` is the registration number (BT-30 / BT-47) carried as
    ``PartyLegalEntity/CompanyID`` with ``legal_id_scheme`` (KvK 0106 by default,
    OIN 0190 for Dutch public bodies). ``vat_number`` includes its country prefix.
    """

    name: str
    address: Address
    legal_id: str | None = None
    legal_id_scheme: str = KVK_SCHEME
    vat_number: str | None = None
    endpoint: Endpoint | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "legal_id_scheme", self.legal_id_scheme.strip())
        _strip_fields(self, "legal_id", "vat_number")


@dataclass(frozen=True)
class Delivery:
    """Where and when the goods went (BG-13): deliver-to address and actual date."""

    address: Address | None = None
    date: datetime.date | None = None
    recipient_name: str | None = None

    def __post_init__(self) -> None:
        _strip_fields(self, "recipient_name")


@dataclass(frozen=True)
class PaymentMeans:
    """Payment by credit transfer (BG-16): code, the seller's IBAN, the reference."""

    code: PaymentMeansCode
    iban: str
    payment_reference: str | None = None

    def __post_init__(self) -> None:
        # IBANs are often printed in groups of four; the identifier has no spaces.
        object.__setattr__(self, "iban", "".join(self.iban.split()).upper())
        _strip_fields(self, "payment_reference")


@dataclass(frozen=True)
class BillingReference:
    """The invoice a credit note corrects (BT-25, and BT-26 its issue date)."""

    invoice_number: str
    issue_date: datetime.date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "invoice_number", self.invoice_number.strip())


@dataclass(frozen=True)
class InvoicePeriod:
    """The period the document covers (BG-14): first and last day, both included.

    A periodic or consolidated invoice names its period instead of one delivery.
    An end before the start is kept here and reported by ``document_problems``
    (BR-29), like every other gap.
    """

    start: datetime.date
    end: datetime.date

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            # A datetime is a date too, but would be written with its time and
            # fail the XSD's xsd:date.
            if not isinstance(value, datetime.date) or isinstance(
                value, datetime.datetime
            ):
                raise TypeError(
                    f"{name} must be a datetime.date, not {type(value).__name__}"
                )


@dataclass(frozen=True)
class SupportingDocument:
    """A document the invoice refers to (BG-24): its identifier and description.

    A consolidated invoice lists the purchase orders it covers this way, since
    it can carry only one purchase order number (BT-13).
    """

    identifier: str
    description: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "identifier", self.identifier.strip())
        _strip_fields(self, "description")


@dataclass(frozen=True)
class InvoiceLine:
    """One line. ``quantity`` x ``unit_net_price`` gives the line net amount.

    ``unit_code`` is UN/ECE Rec 20 (C62, PCE, EA, ...). ``vat_rate`` is a
    percentage (21 for 21 %). ``cost_centre`` is BT-133, ``order_line_id`` the
    buyer's PO line (BT-132), ``nzi_code`` the buyer's cost-type code, carried
    as an item classification.
    """

    line_id: str
    name: str
    quantity: Decimal
    unit_code: str
    unit_net_price: Decimal
    vat_category: VatCategory
    vat_rate: Decimal
    sku: str | None = None
    cost_centre: str | None = None
    order_line_id: str | None = None
    nzi_code: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "line_id", self.line_id.strip())
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "unit_code", self.unit_code.strip())
        object.__setattr__(self, "vat_category", VatCategory(self.vat_category))
        _decimal(self.quantity, "quantity")
        _decimal(self.unit_net_price, "unit_net_price")
        _decimal(self.vat_rate, "vat_rate")
        _strip_fields(self, "sku", "cost_centre", "order_line_id", "nzi_code", "note")


@dataclass(frozen=True)
class InvoiceDocument:
    """An invoice (380) or credit note (381) ready to be built as UBL.

    ``buyer_reference`` is BT-10 and ``purchase_order_number`` BT-13 (one per
    document; a consolidated invoice may have none and rely on BT-10 and line
    cost centres). ``cost_centre`` is the header BT-19. ``vat_exemption_reasons``
    gives the reason text each non-standard VAT category needs (BT-120).
    ``invoice_period`` is BG-14 and ``supporting_documents`` BG-24 (for a
    consolidated invoice: the purchase orders it covers).
    ``payable_rounding_amount`` is BT-114, added to the total with VAT to give
    the amount due (BR-CO-16): the last credit note of an invoice uses it to end
    exactly at the invoice's amount when its parts' VAT rounded differently.
    """

    kind: DocumentKind
    number: str
    issue_date: datetime.date
    currency: str
    customization: Customization
    seller: Party
    buyer: Party
    lines: Sequence[InvoiceLine]
    due_date: datetime.date | None = None
    buyer_reference: str | None = None
    purchase_order_number: str | None = None
    cost_centre: str | None = None
    billing_reference: BillingReference | None = None
    delivery: Delivery | None = None
    payment_means: PaymentMeans | None = None
    payment_terms: str | None = None
    notes: Sequence[str] = ()
    vat_exemption_reasons: Mapping[VatCategory, str] = field(
        default_factory=lambda: MappingProxyType({})
    )
    invoice_period: InvoicePeriod | None = None
    supporting_documents: Sequence[SupportingDocument] = ()
    payable_rounding_amount: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", DocumentKind(self.kind))
        object.__setattr__(self, "number", self.number.strip())
        object.__setattr__(self, "currency", self.currency.strip().upper())
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(
            self, "notes", tuple(n for n in (_text(n) for n in self.notes) if n)
        )
        reasons = {
            VatCategory(category): text
            for category, reason in self.vat_exemption_reasons.items()
            if (text := _text(reason))
        }
        object.__setattr__(self, "vat_exemption_reasons", MappingProxyType(reasons))
        _strip_fields(self, "buyer_reference", "purchase_order_number", "cost_centre")
        _strip_fields(self, "payment_terms")
        object.__setattr__(
            self, "supporting_documents", tuple(self.supporting_documents)
        )
        if self.payable_rounding_amount is not None:
            _decimal(self.payable_rounding_amount, "payable_rounding_amount")
