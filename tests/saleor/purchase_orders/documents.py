# ruff: noqa: E501  (XML documents keep their elements on one line each)
"""cXML OrderRequests and Peppol UBL Orders for a transferred cart, in the shape SAP
Ariba and Peppol access points send them (cXML 1.2 User's Guide; Peppol BIS Order 3)."""

from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

ARIBA_IDENTITY = "AN01000000123"
SHARED_SECRET = "welcome-to-the-network-2026"
PEPPOL_SCHEME = "0106"
PEPPOL_ID = "12345678"


def cxml_order_request(
    transfer,
    order_number="4500012345",
    *,
    secret=SHARED_SECRET,
    kind="new",
    price_factor=Decimal(1),
):
    items = "".join(
        f"""
      <ItemOut quantity="{line["quantity"]}" lineNumber="{number}">
        <ItemID>
          <SupplierPartID>{escape(line["sku"])}</SupplierPartID>
          <SupplierPartAuxiliaryID>{transfer.reference}</SupplierPartAuxiliaryID>
        </ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="{transfer.currency}">{Decimal(line["unit_price_net"]) * price_factor:.2f}</Money></UnitPrice>
          <Description xml:lang="nl">{escape(line["description"])}</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          <Classification domain="NZI">{escape(line["nzi_code"])}</Classification>
        </ItemDetail>
        <Distribution>
          <Accounting name="DistributionCharge">
            <AccountingSegment id="KP-{number}">
              <Name xml:lang="en">Cost Center</Name>
              <Description xml:lang="en">Afdeling {number}</Description>
            </AccountingSegment>
          </Accounting>
          <Charge><Money currency="{transfer.currency}">0</Money></Charge>
        </Distribution>
      </ItemOut>"""
        for number, line in enumerate(transfer.snapshot, start=1)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="1732789012.4711@ariba.example" timestamp="2026-11-28T09:30:00+01:00" xml:lang="nl-NL">
  <Header>
    <From><Credential domain="NetworkID"><Identity>{ARIBA_IDENTITY}</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN02000000999</Identity></Credential></To>
    <Sender>
      <Credential domain="NetworkID">
        <Identity>{ARIBA_IDENTITY}</Identity>
        <SharedSecret>{escape(secret)}</SharedSecret>
      </Credential>
      <UserAgent>Ariba Network 1.0</UserAgent>
    </Sender>
  </Header>
  <Request deploymentMode="production">
    <OrderRequest>
      <OrderRequestHeader orderID={quoteattr(order_number)} orderDate="2026-11-28T09:29:00+01:00" type="{kind}">
        <Total><Money currency="{transfer.currency}">0</Money></Total>
        <ShipTo>
          <Address addressID="NOORD-MAG">
            <Name xml:lang="nl">Ziekenhuis Oost</Name>
            <PostalAddress>
              <DeliverTo>Magazijn Noord</DeliverTo>
              <Street>Ziekenhuisweg 1</Street>
              <City>Utrecht</City>
              <PostalCode>3584 CX</PostalCode>
              <Country isoCountryCode="NL">Nederland</Country>
            </PostalAddress>
          </Address>
        </ShipTo>
        <Comments xml:lang="nl">Graag leveren voor 10:00.</Comments>
      </OrderRequestHeader>{items}
    </OrderRequest>
  </Request>
</cXML>""".encode()


def ubl_order(
    transfer, order_number="PO-2026-004712", *, endpoint=(PEPPOL_SCHEME, PEPPOL_ID)
):
    lines = "".join(
        f"""
  <cac:OrderLine>
    <cac:LineItem>
      <cbc:ID>{number}</cbc:ID>
      <cbc:Quantity unitCode="H87">{line["quantity"]}</cbc:Quantity>
      <cbc:AccountingCost>KP-{number}</cbc:AccountingCost>
      <cac:Price><cbc:PriceAmount currencyID="{transfer.currency}">{Decimal(line["unit_price_net"]):.2f}</cbc:PriceAmount></cac:Price>
      <cac:Item>
        <cbc:Name>{escape(line["description"])}</cbc:Name>
        <cac:SellersItemIdentification><cbc:ID>{escape(line["sku"])}</cbc:ID></cac:SellersItemIdentification>
      </cac:Item>
    </cac:LineItem>
  </cac:OrderLine>"""
        for number, line in enumerate(transfer.snapshot, start=1)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
       xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
       xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:order_only:3</cbc:ProfileID>
  <cbc:ID>{escape(order_number)}</cbc:ID>
  <cbc:IssueDate>2026-11-28</cbc:IssueDate>
  <cbc:DocumentCurrencyCode>{transfer.currency}</cbc:DocumentCurrencyCode>
  <cbc:CustomerReference>Afdeling Inkoop</cbc:CustomerReference>
  <cac:QuotationDocumentReference><cbc:ID>{transfer.reference}</cbc:ID></cac:QuotationDocumentReference>
  <cac:BuyerCustomerParty>
    <cac:Party>
      <cbc:EndpointID schemeID="{endpoint[0]}">{endpoint[1]}</cbc:EndpointID>
      <cac:PartyLegalEntity><cbc:RegistrationName>Ziekenhuis Oost</cbc:RegistrationName></cac:PartyLegalEntity>
    </cac:Party>
  </cac:BuyerCustomerParty>
  <cac:SellerSupplierParty>
    <cac:Party>
      <cbc:EndpointID schemeID="0106">87654321</cbc:EndpointID>
      <cac:PartyLegalEntity><cbc:RegistrationName>Bloem &amp; Doos B.V.</cbc:RegistrationName></cac:PartyLegalEntity>
    </cac:Party>
  </cac:SellerSupplierParty>{lines}
</Order>""".encode()
