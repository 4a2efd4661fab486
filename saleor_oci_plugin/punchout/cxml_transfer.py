"""A cXML session's cart as a ``PunchOutOrderMessage`` (transfer.py branches here).

The cart is checked, frozen and stored exactly as for OCI (:mod:`.transfer`); only
the message differs. Per line an ``ItemIn``: the SKU as ``SupplierPartID``; the
transfer's reference as ``SupplierPartAuxiliaryID`` (the ``OrderRequest`` names it
back); the net unit price; the description; the unit through the connection's
unit map (UN/ECE Rec 20 / UN/CEFACT codes, as for OCI); ``Classification`` UNSPSC
(the product attribute the connection names, else its default) and NZI (as for
OCI); ``ManufacturerPartID``, ``ManufacturerName`` and ``LeadTime`` where the
variant's (else the product's) metadata has them; the orderer's cost centre in
``Distribution/Accounting``; the greeting card as ``Comments``. The header carries
``Total`` (net) and ``Tax`` (VAT per rate, as the order and invoice charge it; each
line's ``Tax`` is the line's own), no ``Shipping``. The browser posts it to
``BrowserFormPost/URL`` in the connection's form field(s): ``cxml-urlencoded``
and/or ``cxml-base64``.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from .. import oci
from ..buyers import budgets
from ..error_codes import OciErrorCode
from . import codec_settings, cxml_documents, items
from .models import Connection, PunchoutSession, Transfer

DEFAULT_SENDER = ("NetworkID", "saleor-oci-plugin")
# Variant (else product) metadata keys of what Saleor has no field for, sent as
# ItemDetail/ManufacturerPartID, ManufacturerName and LeadTime (days) where set.
MANUFACTURER_PART_ID_KEY = "manufacturer_part_id"
MANUFACTURER_NAME_KEY = "manufacturer_name"
LEAD_TIME_KEY = "lead_time_days"
USER_AGENT = "saleor-oci-plugin"
TITLE = "Sending the cart to your procurement system"


@dataclass(frozen=True)
class CXMLForm:
    """The message as sent: the form fields and the page that posts them."""

    document: bytes
    fields: tuple[tuple[str, str], ...]
    html: str


def order_message_form(
    session: PunchoutSession,
    cart: Sequence[oci.CartItem],
    lines: Sequence,
    transfer_reference: str,
) -> CXMLForm:
    """The PunchOutOrderMessage of a frozen cart; raise a ValidationError (and the
    caller writes nothing) for a line the message cannot carry."""
    connection = session.connection
    units = codec_settings.oci_mapping(connection).units
    unspsc = unspsc_codes([line.variant for line in lines], connection)
    message_lines = []
    problems = []
    for item, line in zip(cart, lines, strict=True):
        try:
            unit = units.to_oci(item.unit)
        except oci.UnknownUnitError as error:
            problems.append(f"{item.description}: {error}")
            continue
        classifications = tuple(
            (domain, code)
            for domain, code in (
                (cxml_documents.UNSPSC_DOMAIN, unspsc.get(line.variant.pk, "")),
                (cxml_documents.NZI_DOMAIN, item.nzi_code),
            )
            if code
        )
        if not classifications:
            problems.append(
                f"{item.description} has no UNSPSC code (product attribute "
                f"{connection.unspsc_attribute_slug!r}) and the connection has no "
                "default UNSPSC code"
            )
            continue
        net_total = line.line.total_price.net.amount
        message_lines.append(
            cxml_documents.MessageLine(
                line_number=item.line_number,
                quantity=item.quantity,
                sku=item.sku,
                transfer_id=transfer_reference,
                unit_price=item.unit_price,
                currency=item.currency,
                description=item.description,
                unit=unit,
                classifications=classifications,
                manufacturer_part_id=item.manufacturer_material_number
                or _metadata(line.variant, MANUFACTURER_PART_ID_KEY),
                manufacturer_name=_metadata(line.variant, MANUFACTURER_NAME_KEY),
                lead_time_days=item.lead_time_days
                if item.lead_time_days is not None
                else _lead_time(line.variant),
                tax=line.line.total_price.gross.amount - net_total,
                cost_centre=session.cost_centre,
                comments=item.card_text,
            )
        )
    if problems:
        raise ValidationError(
            {
                "lines": ValidationError(
                    "The cart cannot be sent as cXML: " + "; ".join(problems) + ".",
                    code=OciErrorCode.INVALID.value,
                )
            }
        )
    currency = cart[0].currency if cart else session.connection.channel.currency_code
    document = cxml_documents.build_order_message(
        _message(
            session,
            currency,
            total=sum((line.line.total_price.net.amount for line in lines), Decimal(0)),
            tax=vat_per_rate(cart, lines),
            lines=tuple(message_lines),
        )
    )
    return _form(session, document)


def vat_per_rate(cart: Sequence[oci.CartItem], lines: Sequence) -> Decimal:
    """The cart's VAT as the order and its invoice will charge it: computed once
    per rate on that rate's net total, rounded half up (EN 16931 BR-CO-17), which
    can differ by a cent from the sum of the lines' own rounded VAT."""
    net_by_rate: dict[Decimal, Decimal] = {}
    for item, line in zip(cart, lines, strict=True):
        rate = item.tax_rate or Decimal(0)
        net_by_rate[rate] = (
            net_by_rate.get(rate, Decimal(0)) + line.line.total_price.net.amount
        )
    return sum(
        (
            (net * rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            for rate, net in net_by_rate.items()
        ),
        Decimal(0),
    )


def cancel_form(session: PunchoutSession) -> CXMLForm:
    """The empty message with the BuyerCookie: the buyer chose nothing."""
    currency = session.connection.channel.currency_code
    document = cxml_documents.build_order_message(
        _message(session, currency, total=Decimal(0), tax=None, lines=())
    )
    return _form(session, document)


def supersede(session: PunchoutSession, transfer: Transfer) -> int:
    """An edit's new transfer replaces the transfers its ItemOut lines named (of
    the same connection): a purchase order must name the new one, and their
    budget holds end. Returns how many were superseded."""
    references = {
        item.get("transfer_id", "")
        for item in (session.cxml_context or {}).get("items") or ()
    }
    ids = [reference for reference in references if _is_uuid(reference)]
    if session.operation != PunchoutSession.Operation.EDIT or not ids:
        return 0
    superseded = list(
        Transfer.objects.filter(
            pk__in=ids,
            session__connection_id=session.connection_id,
            superseded_by__isnull=True,
        )
        .exclude(pk=transfer.pk)
        .values_list("pk", flat=True)
    )
    Transfer.objects.filter(pk__in=superseded).update(superseded_by=transfer)
    budgets.release_holds(superseded)
    return len(superseded)


def unspsc_codes(variants: Sequence, connection: Connection) -> dict[int, str]:
    """The UNSPSC code of each variant (by pk): the product attribute the
    connection names, else the connection's default ("" when neither)."""
    products = {variant.product_id: variant.product for variant in variants}
    by_product = items.attribute_values(products, connection.unspsc_attribute_slug)
    return {
        variant.pk: by_product.get(variant.product_id) or connection.unspsc_default
        for variant in variants
    }


def _message(
    session: PunchoutSession,
    currency: str,
    *,
    total: Decimal,
    tax: Decimal | None,
    lines: tuple[cxml_documents.MessageLine, ...],
) -> cxml_documents.OrderMessage:
    context = session.cxml_context or {}
    # The request's To credentials name the shop as the buyer knows it; its From
    # the buyer: the message goes the other way.
    shop = tuple(tuple(pair) for pair in context.get("to") or ())
    buyer = tuple(tuple(pair) for pair in context.get("from") or ())
    return cxml_documents.OrderMessage(
        buyer_cookie=session.buyer_cookie,
        currency=currency,
        total=total,
        tax=tax,
        operation_allowed="edit",
        from_credentials=shop,
        to_credentials=buyer,
        sender_credential=shop[0] if shop else DEFAULT_SENDER,
        user_agent=USER_AGENT,
        lines=lines,
    )


def _form(session: PunchoutSession, document: bytes) -> CXMLForm:
    fields = cxml_documents.form_fields(document, session.connection.cxml_form_field)
    if not session.hook_url:
        # An inspect without BrowserFormPost: nothing to post, the buyer closes.
        return CXMLForm(document=document, fields=fields, html="")
    form = oci.render_return_form(fields, hook_url=session.hook_url, title=TITLE)
    return CXMLForm(
        document=document,
        fields=fields,
        html=form.body.decode(form.charset.codec),
    )


def _metadata(variant, key: str) -> str:
    value = variant.metadata.get(key) or variant.product.metadata.get(key) or ""
    return str(value).strip()


def _lead_time(variant) -> int | None:
    """Whole days from the metadata; None where unset or not a whole number."""
    text = _metadata(variant, LEAD_TIME_KEY)
    return int(text) if text.isdigit() else None


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
