"""Business customers: buyer organisations and their branches (vestigingen)."""

from typing import Any

from django.db import models
from django.db.models.functions import Lower


class InvoicingPreference(models.TextChoices):
    PER_ORDER = "per_order", "One invoice per order"
    PERIODIC_PER_BRANCH = "periodic_branch", "Periodic invoice per branch"
    PERIODIC_CONSOLIDATED = "periodic_consolidated", "Periodic consolidated invoice"


class InvoiceFormat(models.TextChoices):
    SI_UBL_2 = "si_ubl_2", "SI-UBL 2.0 (NLCIUS)"
    PEPPOL_BIS_3 = "peppol_bis_3", "Peppol BIS Billing 3.0"


class LegalIdScheme(models.TextChoices):
    """Schemes (ISO 6523 ICD) of a Dutch organisation's legal registration number.

    SI-UBL 2.0 BR-NL-10 accepts these two for a Dutch customer.
    """

    KVK = "0106", "KvK number (Chamber of Commerce), 8 digits"
    OIN = "0190", "OIN (government organisation identification number), 20 digits"


# The length of a legal registration number in each scheme (all digits).
LEGAL_ID_LENGTHS = {LegalIdScheme.KVK.value: 8, LegalIdScheme.OIN.value: 20}


class BuyerOrganisation(models.Model):
    """A company, hospital or municipality that buys through its procurement system."""

    name = models.CharField(max_length=255)
    # Legal registration number (BT-47), on invoices as PartyLegalEntity/CompanyID
    # with schemeID legal_id_scheme: a KvK number (0106), or the OIN (0190) that
    # identifies Dutch public bodies (municipalities, provinces, water boards).
    legal_id = models.CharField(max_length=20, blank=True, default="")
    legal_id_scheme = models.CharField(
        max_length=4, choices=LegalIdScheme.choices, default=LegalIdScheme.KVK
    )
    vat_number = models.CharField(max_length=20, blank=True, default="")
    peppol_endpoint_id = models.CharField(max_length=64, blank=True, default="")
    peppol_endpoint_scheme = models.CharField(max_length=4, blank=True, default="0106")
    invoice_format = models.CharField(
        max_length=16, choices=InvoiceFormat.choices, default=InvoiceFormat.SI_UBL_2
    )
    invoicing_preference = models.CharField(
        max_length=24,
        choices=InvoicingPreference.choices,
        default=InvoicingPreference.PER_ORDER,
    )
    # Where goods go when neither the purchase order nor the connection's branch
    # names a delivery address.
    delivery_address = models.ForeignKey(
        "account.Address",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The buyer's address on consolidated invoices (one invoice for all branches).
    # Both addresses are the organisation's own rows (buyers/addresses.py), never
    # a customer's address-book entry.
    invoice_address = models.ForeignKey(
        "account.Address",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Where consolidated invoices (and a branch's, when it has no address of its
    # own) are e-mailed, with the UBL and its rendering attached.
    invoice_email = models.EmailField(blank=True, default="")
    # How long a transferred cart holds its amount against budgets while the
    # requisition waits for approval.
    budget_hold_days = models.PositiveSmallIntegerField(default=30)
    # The name in default_storage of the logo printed on greeting cards; empty: none.
    # A replaced logo gets a new name and the old file stays, so a card prints with
    # the logo it was ordered with.
    logo = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "pk")

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    """A branch (vestiging) of an organisation: where goods go and invoices are sent."""

    organisation = models.ForeignKey(
        BuyerOrganisation, related_name="branches", on_delete=models.CASCADE
    )
    name = models.CharField(max_length=255)
    # The organisation's own code for the branch, as its ERP knows it.
    code = models.CharField(max_length=35, blank=True, default="")
    delivery_address = models.ForeignKey(
        "account.Address",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invoice_address = models.ForeignKey(
        "account.Address",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    default_cost_centre = models.CharField(max_length=64, blank=True, default="")
    # Where this branch's invoices are e-mailed; empty: the organisation's address.
    invoice_email = models.EmailField(blank=True, default="")
    # Empty: the organisation's preference applies.
    invoicing_preference = models.CharField(
        max_length=24, choices=InvoicingPreference.choices, blank=True, default=""
    )
    # This branch's own card logo (a name in default_storage); empty: the
    # organisation's.
    logo = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ("organisation", "name", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                condition=~models.Q(code=""),
                name="oci_branch_code_unique_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} / {self.name}"


class CostCentre(models.Model):
    """A cost centre (kostenplaats) an orderer of the branch may book a cart on.

    The branch's ``default_cost_centre`` is the one chosen unless the orderer or the
    purchase order names another.
    """

    branch = models.ForeignKey(
        Branch, related_name="cost_centres", on_delete=models.CASCADE
    )
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ("branch", "code", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "code"], name="oci_cost_centre_unique_per_branch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.branch})"


class MemberRole(models.TextChoices):
    ADMIN = "admin", "Administrator: manages the organisation's people and settings"
    ORDERER = "orderer", "Orderer (besteller): shops for the organisation"


class Member(models.Model):
    """A person of a buyer organisation: a Saleor customer account with a role.

    An orderer shops as their own account, so orders show the real person; an
    administrator also manages the organisation from the portal. A Saleor account
    belongs to one organisation at most. Deactivating keeps the account, its orders
    and invoices; it only stops punch-in and portal sign-in.
    """

    organisation = models.ForeignKey(
        BuyerOrganisation, related_name="members", on_delete=models.CASCADE
    )
    user = models.OneToOneField(
        "account.User", related_name="oci_member", on_delete=models.CASCADE
    )
    role = models.CharField(
        max_length=16, choices=MemberRole.choices, default=MemberRole.ORDERER
    )
    # The branches the member may order for; none: every branch of the organisation.
    branches = models.ManyToManyField(Branch, related_name="members", blank=True)
    default_branch = models.ForeignKey(
        Branch, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    default_cost_centre = models.CharField(max_length=64, blank=True, default="")
    is_active = models.BooleanField(default=True)
    # The procurement system's user id (SAP SY-UNAME, cXML UniqueName), by which
    # punch-in recognises the person; empty until one is seen or set.
    external_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # When the set-password invitation was last sent; None: never invited.
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Saleor's connections page by the model's ordering: a plain, unique key.
        ordering = ("pk",)
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("external_id"),
                condition=~models.Q(external_id=""),
                name="oci_member_external_id_unique_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}, {self.organisation})"


class AssortmentLayer(models.TextChoices):
    """Who set an assortment: the shop's staff, or the organisation's admin.

    Every layer that applies narrows what is offered (they intersect), so an
    organisation's own layer can never widen what the shop set.
    """

    SHOP = "shop", "Set by the shop"
    ORGANISATION = "organisation", "Narrowed by the organisation"


class Assortment(models.Model):
    """What an organisation (or one of its branches) is offered in its channel.

    Includes: Saleor collections, categories (with or without their
    subcategories) and products; none at all means the whole channel. The excluded
    products and the maximum unit price (net, as :mod:`..punchout.offer` prices)
    narrow that. See :mod:`..punchout.offer` for how the layers combine.
    """

    organisation = models.ForeignKey(
        BuyerOrganisation, related_name="assortments", on_delete=models.CASCADE
    )
    # None: the organisation's; else that branch's, which narrows it further.
    branch = models.ForeignKey(
        Branch,
        null=True,
        blank=True,
        related_name="assortments",
        on_delete=models.CASCADE,
    )
    layer = models.CharField(
        max_length=16, choices=AssortmentLayer.choices, default=AssortmentLayer.SHOP
    )
    collections: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        "product.Collection", related_name="+", blank=True
    )
    categories: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        "product.Category", related_name="+", blank=True
    )
    include_subcategories = models.BooleanField(default=True)
    products: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        "product.Product", related_name="+", blank=True
    )
    excluded_products: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        "product.Product", related_name="+", blank=True
    )
    max_unit_price = models.DecimalField(
        max_digits=12, decimal_places=3, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("pk",)
        constraints = [
            models.UniqueConstraint(
                "organisation",
                "branch",
                "layer",
                nulls_distinct=False,
                name="oci_assortment_one_per_layer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.layer} assortment of {self.branch or self.organisation}"


class BudgetPeriod(models.TextChoices):
    MONTH = "month", "Calendar month"
    QUARTER = "quarter", "Calendar quarter"
    YEAR = "year", "Calendar year"


class Budget(models.Model):
    """An amount (net) per period for an organisation, one of its branches or one
    of its members. Hard: a transfer that would exceed what is left is refused;
    soft: it goes through with a warning. See :mod:`.budgets`."""

    organisation = models.ForeignKey(
        BuyerOrganisation, related_name="budgets", on_delete=models.CASCADE
    )
    branch = models.ForeignKey(
        Branch, null=True, blank=True, related_name="budgets", on_delete=models.CASCADE
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, related_name="budgets", on_delete=models.CASCADE
    )
    name = models.CharField(max_length=255, blank=True, default="")
    period = models.CharField(
        max_length=8, choices=BudgetPeriod.choices, default=BudgetPeriod.MONTH
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    hard = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.name or f"{self.period} budget of {self.organisation}"


class BudgetEntry(models.Model):
    """What counts against budgets: a held transfer, an order placed from a PO, a
    credit note (negative). Its scope (organisation, branch, member) says which
    budgets it counts in; ``booked_at`` the period. A released entry counts no
    more (the hold's PO arrived, or the order was cancelled)."""

    class Kind(models.TextChoices):
        HOLD = "hold", "Held by a transfer"
        ORDER = "order", "Order placed from a purchase order"
        CREDIT = "credit", "Credit note"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    organisation = models.ForeignKey(
        BuyerOrganisation, related_name="+", on_delete=models.CASCADE
    )
    branch = models.ForeignKey(
        Branch, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    booked_at = models.DateTimeField()
    # Holds only: when the hold lapses by itself.
    expires_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    transfer = models.ForeignKey(
        "saleor_oci_plugin.Transfer",
        null=True,
        blank=True,
        related_name="budget_entries",
        on_delete=models.CASCADE,
    )
    order = models.ForeignKey(
        "order.Order",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ("pk",)
        indexes = [
            models.Index(
                fields=["organisation", "booked_at"], name="oci_budget_entry_booked"
            )
        ]
