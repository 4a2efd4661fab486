"""Punch-out connections, the sessions they open and the carts they transfer."""

import uuid

from django.db import models
from django.db.models.functions import Lower

from ..buyers.models import Branch, BuyerOrganisation, Member


class Connection(models.Model):
    """How one buyer organisation's procurement system punches in.

    Holds the buyer's credentials (the password hashed), where carts may be sent back
    to, how the cart is mapped to OCI fields, and what Saleor channel and customer
    account the buyer shops as.
    """

    organisation = models.ForeignKey(
        BuyerOrganisation, related_name="connections", on_delete=models.CASCADE
    )
    branch = models.ForeignKey(
        Branch,
        null=True,
        blank=True,
        related_name="connections",
        on_delete=models.SET_NULL,
    )
    name = models.CharField(max_length=255)
    is_active = models.BooleanField(default=True)

    login_name = models.CharField(max_length=150, unique=True)
    # A Django password hash (make_password), never the password itself.
    password = models.CharField(max_length=256)
    # Extra names under which the procurement system sends the login parameters,
    # e.g. {"USERNAME": ["loginname", "cid"], "PASSWORD": ["pwd"]}.
    parameter_aliases = models.JSONField(default=dict, blank=True)

    # "scheme://host[/path-prefix]" entries a HOOK_URL must match.
    hook_url_allowlist = models.JSONField(default=list, blank=True)
    allow_http_hook_url = models.BooleanField(default=False)
    allow_sapevent_hook_url = models.BooleanField(default=False)

    # The person behind a punch-in: extra names under which the procurement system
    # sends the orderer's user id, e-mail and name, e.g. {"email": ["SY-EMAIL"]}
    # (besides the defaults in punchout/identity.py), and whether an orderer the
    # shop does not know yet is created as a member of the connection's branch.
    identity_parameters = models.JSONField(default=dict, blank=True)
    create_unknown_orderers = models.BooleanField(default=True)
    # The OCI field the orderer's cost centre is sent in.
    cost_centre_field = models.CharField(max_length=40, default="CUST_FIELD5")

    oci_version = models.CharField(max_length=8, default="4.0")
    # The codec's mapping of cart properties to NEW_ITEM-* fields (empty: defaults).
    field_mapping = models.JSONField(default=dict, blank=True)
    # Shop unit -> UN/ECE Rec 20 / SAP ISO code overrides.
    unit_map = models.JSONField(default=dict, blank=True)
    nzi_field = models.CharField(max_length=40, default="MATGROUP")
    # This buyer's own NZI codes, before the shop's product data:
    # {"products": {"<sku or product slug>": "code"}, "categories": {"<slug>": "code"}}.
    nzi_overrides = models.JSONField(default=dict, blank=True)
    price_precision = models.PositiveSmallIntegerField(default=2)

    channel = models.ForeignKey(
        "channel.Channel", related_name="+", on_delete=models.PROTECT
    )
    customer = models.ForeignKey(
        "account.User", related_name="+", on_delete=models.PROTECT
    )
    # Empty: the plugin's storefront URL / session lifetime apply.
    storefront_url = models.CharField(max_length=2048, blank=True, default="")
    session_lifetime_minutes = models.PositiveIntegerField(null=True, blank=True)

    # Purchase orders coming back: whether a PO may change quantities of the
    # transferred cart, how far its unit prices may differ from the cart's (percent),
    # and whether a PO that names no transfer is placed at the channel's prices.
    allow_quantity_changes = models.BooleanField(default=False)
    price_tolerance_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0
    )
    allow_direct_orders = models.BooleanField(default=False)
    # cXML: the From/Sender credential identity naming this connection, and the
    # shared secret as a keyed hash (machine_secrets; older rows: a password hash).
    cxml_identity = models.CharField(max_length=255, blank=True, default="")
    cxml_shared_secret = models.CharField(max_length=256, blank=True, default="")

    class Protocol(models.TextChoices):
        OCI = "oci", "SAP OCI"
        CXML = "cxml", "cXML"
        BOTH = "both", "SAP OCI and cXML"

    class CXMLFormField(models.TextChoices):
        URLENCODED = "cxml-urlencoded", "cxml-urlencoded"
        BASE64 = "cxml-base64", "cxml-base64"
        BOTH = "both", "cxml-urlencoded and cxml-base64"

    # Which punch-out the procurement system speaks (cXML PunchOutSetupRequest
    # needs cxml or both), the From credential domains accepted for cxml_identity
    # (empty: any), the form field(s) the PunchOutOrderMessage is posted in, and
    # where a line's UNSPSC code comes from (a product attribute, else the default).
    protocol = models.CharField(
        max_length=8, choices=Protocol.choices, default=Protocol.OCI
    )
    cxml_domains = models.JSONField(default=list, blank=True)
    cxml_form_field = models.CharField(
        max_length=16, choices=CXMLFormField.choices, default=CXMLFormField.URLENCODED
    )
    unspsc_attribute_slug = models.CharField(
        max_length=250, blank=True, default="unspsc"
    )
    unspsc_default = models.CharField(max_length=16, blank=True, default="")
    # UBL Order endpoint: keyed hash (HMAC-SHA256, machine_secrets) of the bearer
    # token, a random 256-bit value, so a fast hash is enough (older rows: plain
    # SHA-256); empty means no token, i.e. revoked.
    order_token_hash = models.CharField(max_length=64, blank=True, default="")

    # Brute-force protection: consecutive wrong passwords and the lock they caused.
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("organisation", "name", "pk")
        constraints = [
            # Punch-in matches login names ignoring case, so they are unique so.
            models.UniqueConstraint(
                Lower("login_name"), name="oci_connection_login_name_ci_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.login_name})"


class PunchoutSession(models.Model):
    """One punch-in: what the procurement system asked for, kept on the server.

    The storefront only ever holds the one-time code and Saleor's own tokens; the
    HOOK_URL, target and the session's checkout live here, so that nothing depends
    on cookies inside the procurement system's iframe.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        TRANSFERRED = "transferred", "Transferred"
        CANCELLED = "cancelled", "Cancelled"

    class Protocol(models.TextChoices):
        OCI = "oci", "SAP OCI"
        CXML = "cxml", "cXML"

    class Operation(models.TextChoices):
        CREATE = "create", "Create"
        EDIT = "edit", "Edit"
        INSPECT = "inspect", "Inspect"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    connection = models.ForeignKey(
        Connection, related_name="sessions", on_delete=models.CASCADE
    )
    checkout = models.OneToOneField(
        "checkout.Checkout",
        null=True,
        blank=True,
        related_name="oci_session",
        on_delete=models.SET_NULL,
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN
    )
    # The orderer, when the punch-in named one (else the connection's customer
    # shops), and the branch and cost centre the cart is booked on; frozen with
    # the session when it is transferred.
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        related_name="punchout_sessions",
        on_delete=models.SET_NULL,
    )
    branch = models.ForeignKey(
        Branch, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    cost_centre = models.CharField(max_length=64, blank=True, default="")

    # Echoed back to the procurement system exactly as received.
    hook_url = models.TextField()
    target = models.TextField(blank=True, default="")
    okcode = models.TextField(blank=True, default="")
    caller = models.TextField(blank=True, default="")
    oci_version = models.CharField(max_length=8, blank=True, default="")
    charset = models.CharField(max_length=40, blank=True, default="")

    # cXML punch-out: the protocol the session answers in, what the setup request
    # asked for (create, edit or inspect), its BuyerCookie (echoed in the order
    # message) and the rest of it: credentials to answer with, ShipTo, the
    # ItemOut lines of an edit or inspect (see punchout/cxml_setup.py).
    protocol = models.CharField(
        max_length=8, choices=Protocol.choices, default=Protocol.OCI
    )
    operation = models.CharField(
        max_length=8, choices=Operation.choices, default=Operation.CREATE
    )
    buyer_cookie = models.TextField(blank=True, default="")
    cxml_context = models.JSONField(default=dict, blank=True)

    # SHA-256 of the one-time code: a leaked database row cannot be replayed.
    code_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    code_expires_at = models.DateTimeField()
    code_used_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"punch-out {self.pk} ({self.status})"


class Transfer(models.Model):
    """A cart as it was sent back to the procurement system, frozen.

    The purchase order that comes back names it (OCI EXT_QUOTE_ID) and is checked
    against this snapshot.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.OneToOneField(
        PunchoutSession, related_name="transfer", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    currency = models.CharField(max_length=3)
    # Lines as offered: sku, name, quantity, unit, unit price, NZI code, card text.
    snapshot = models.JSONField()
    # SHA-256 of the canonical snapshot, to notice a later change.
    content_hash = models.CharField(max_length=64)
    # The OCI fields as sent, and the shortening/charset warnings they carried.
    fields = models.JSONField()
    warnings = models.JSONField(default=list, blank=True)
    # A cXML edit of this cart that was transferred since: the buyer's system
    # replaces the cart, so a purchase order must name the newer transfer.
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ("-created_at",)

    @property
    def reference(self) -> str:
        """The id as it travels in OCI: 32 characters fit EXT_QUOTE_ID (35)."""
        return self.id.hex

    def __str__(self) -> str:
        return f"transfer {self.reference}"
