"""What the storefront asks of Saleor: the GraphQL operations, one function each.

Every operation on a session runs with the session's access token and refreshes it
with Saleor's ``tokenRefresh`` first when it is about to expire (or once, after
Saleor said it had). Whatever Saleor refuses becomes :class:`ShopRefusal` with
messages for the buyer; no answer at all stays :class:`SaleorUnavailable`.
"""

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from .. import oci
from .graphql_client import GraphQLClient, GraphQLResult
from .sessions import SessionTable, ShopSession, token_expiry

TOKEN_CREATE = """
mutation OciSessionTokenCreate($code: String!) {
  ociSessionTokenCreate(code: $code) {
    token refreshToken
    session { expiresAt operation }
    checkout { id }
    errors { field code message }
  }
}
"""
TOKEN_REFRESH = """
mutation TokenRefresh($refreshToken: String!) {
  tokenRefresh(refreshToken: $refreshToken) { token errors { field code message } }
}
"""
CHECKOUT_CHANNEL = (
    "query CheckoutChannel($id: ID!) { checkout(id: $id) { channel { slug } } }"
)
INSPECT = "inspect"
INSPECT_CLOSED_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Closed</title>'
    "</head><body><p>Closed: the cart in your procurement system is unchanged. "
    "You can close this window.</p></body></html>"
)
CART_GONE = "The shop no longer finds this session's cart."
# Pixel sizes asked of Saleor's thumbnails (it rounds to the nearest it makes).
LISTING_IMAGE_SIZE = 128
PRODUCT_IMAGE_SIZE = 512
# Business buyers see and book prices without VAT: what the OCI form sends.
_MONEY = "net { amount currency }"
# What the buyer is offered (their assortment), at the plugin's one unit net price,
# with Saleor's own thumbnail.
PRODUCTS = f"""
query Products($checkoutId: ID!, $first: Int!) {{
  ociCatalogue(checkoutId: $checkoutId, first: $first) {{
    edges {{
      node {{
        id name
        product {{ thumbnail(size: {LISTING_IMAGE_SIZE}) {{ url alt }} }}
        variants {{ unitPrice {{ amount currency }} }}
      }}
    }}
  }}
}}
"""
PRODUCT = f"""
query Product($id: ID!, $channel: String!) {{
  product(id: $id, channel: $channel) {{
    id name seoDescription
    thumbnail(size: {PRODUCT_IMAGE_SIZE}) {{ url alt }}
    variants {{
      id name sku
      media {{ url(size: {LISTING_IMAGE_SIZE}) alt }}
      pricing {{ price {{ {_MONEY} }} }}
    }}
  }}
}}
"""
CHECKOUT = f"""
query Checkout($id: ID!) {{
  checkout(id: $id) {{
    lines {{
      id quantity
      variant {{ id name sku product {{ id name }} }}
      unitPrice {{ {_MONEY} }}
      totalPrice {{ {_MONEY} }}
    }}
    totalPrice {{ {_MONEY} }}
  }}
  ociCheckoutBudgets(checkoutId: $id) {{ summary hard }}
}}
"""
_ERRORS = "errors { field code message }"
LINES_ADD = f"""
mutation LinesAdd($id: ID!, $lines: [OciCheckoutLineInput!]!) {{
  ociCheckoutLinesAdd(id: $id, lines: $lines) {{ {_ERRORS} }}
}}
"""
LINES_UPDATE = f"""
mutation LinesUpdate($id: ID!, $lines: [CheckoutLineUpdateInput!]!) {{
  checkoutLinesUpdate(id: $id, lines: $lines) {{ {_ERRORS} }}
}}
"""
LINES_DELETE = f"""
mutation LinesDelete($id: ID!, $linesIds: [ID!]!) {{
  checkoutLinesDelete(id: $id, linesIds: $linesIds) {{ {_ERRORS} }}
}}
"""
CARD_SET = f"""
mutation CardSet(
  $checkoutId: ID!, $text: String!, $lineId: ID, $withLogo: Boolean
) {{
  ociGreetingCardSet(
    checkoutId: $checkoutId, text: $text, lineId: $lineId, withLogo: $withLogo
  ) {{
    {_ERRORS}
  }}
}}
"""
CARD_PREVIEW = """
query CardPreview($checkoutId: ID!, $text: String!, $withLogo: Boolean) {
  ociGreetingCardPreview(checkoutId: $checkoutId, text: $text, withLogo: $withLogo) {
    image
    problems { code message }
  }
}
"""
_PNG_DATA_URL = "data:image/png;base64,"
TRANSFER = f"""
mutation Transfer($id: ID!) {{
  ociCheckoutTransfer(id: $id) {{ transfer {{ id html budgetWarnings }} {_ERRORS} }}
}}
"""
_BRANCH_CHOICES = "branch { id name } costCentres { code name isDefault }"
ORDERING = f"""
query Ordering($checkoutId: ID!) {{
  ociSession(checkoutId: $checkoutId) {{
    member {{ email firstName lastName }}
    branch {{ id name }}
    costCentre
    orderingBranches {{ {_BRANCH_CHOICES} }}
  }}
}}
"""
ORDERING_SET = f"""
mutation OrderingSet($id: ID!, $branch: ID, $costCentre: String!) {{
  ociCheckoutOrderingSet(id: $id, branch: $branch, costCentre: $costCentre) {{
    {_ERRORS}
  }}
}}
"""
CANCEL = f"""
mutation Cancel($id: ID!) {{
  ociCheckoutCancel(id: $id) {{ form {{ html }} {_ERRORS} }}
}}
"""


@dataclass(frozen=True, slots=True)
class Problem:
    """One refusal, as Saleor said it."""

    message: str
    code: str = ""
    field: str = ""


@dataclass(frozen=True)
class CardPreview:
    """A card as printed: a PNG data: URL, and why setting it would be refused."""

    image: str
    problems: tuple[Problem, ...] = ()


class ShopRefusal(Exception):
    """Saleor answered, but refused: the problems are shown to the buyer."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = tuple(problems)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(problem.code for problem in self.problems)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.currency} {self.amount.quantize(Decimal('0.01'))}"


@dataclass(frozen=True, slots=True)
class Image:
    """A picture from Saleor's media (its thumbnail URL) and its alt text."""

    url: str
    alt: str


@dataclass(frozen=True, slots=True)
class ProductSummary:
    id: str
    name: str
    price_from: Money | None
    image: Image | None = None


@dataclass(frozen=True, slots=True)
class Variant:
    id: str
    name: str
    sku: str
    price: Money | None
    image: Image | None = None


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str
    description: str
    variants: tuple[Variant, ...]
    image: Image | None = None


@dataclass(frozen=True, slots=True)
class CartLine:
    id: str
    quantity: int
    product_id: str
    product_name: str
    variant_name: str
    sku: str
    unit_price: Money | None
    total_price: Money | None


@dataclass(frozen=True, slots=True)
class Cart:
    lines: tuple[CartLine, ...]
    total: Money | None
    # What is left of each budget the cart counts against, e.g. "EUR 412.00 of
    # EUR 1,000.00 left in December 2026".
    budgets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CostCentre:
    code: str
    name: str
    is_default: bool


@dataclass(frozen=True, slots=True)
class BranchChoice:
    """A branch the orderer may order for, with its cost centres."""

    id: str
    name: str
    cost_centres: tuple[CostCentre, ...]


@dataclass(frozen=True, slots=True)
class Ordering:
    """Who orders, and for which branch and cost centre (``ociSession``)."""

    orderer_name: str
    orderer_email: str
    branch_id: str
    branch_name: str
    cost_centre: str
    branches: tuple[BranchChoice, ...]


class Shop:
    """The operations, bound to one Saleor and one session table."""

    def __init__(self, client: GraphQLClient, sessions: SessionTable) -> None:
        self.client = client
        self.sessions = sessions

    # ------------------------------------------------------------ the session
    def open_session(self, code: str) -> ShopSession:
        """Exchange the punch-in's one-time code for tokens and a session."""
        payload = _payload(
            self.client.execute(TOKEN_CREATE, {"code": code}), "ociSessionTokenCreate"
        )
        token, refresh_token = payload.get("token"), payload.get("refreshToken")
        checkout_id = (payload.get("checkout") or {}).get("id")
        if not (token and refresh_token and checkout_id):
            raise ShopRefusal(
                [Problem("The shop issued no session for this punch-in code.")]
            )
        shop_session = payload.get("session") or {}
        expires_at = _timestamp(shop_session.get("expiresAt"))
        return self.sessions.open(
            token=token,
            refresh_token=refresh_token,
            checkout_id=checkout_id,
            expires_at=expires_at,
            operation=str(shop_session.get("operation") or "create"),
        )

    def refresh_token(self, session: ShopSession, *, force: bool = False) -> None:
        """A new access token from the refresh token, unless another thread got one."""
        with session.refresh_lock:
            now = self.sessions.clock()
            if not force and not session.token_needs_refresh(now):
                return
            previous = session.token
            payload = _payload(
                self.client.execute(
                    TOKEN_REFRESH, {"refreshToken": session.refresh_token}
                ),
                "tokenRefresh",
            )
            token = payload.get("token")
            if not token:
                raise ShopRefusal([Problem("The shop issued no new access token.")])
            if force and token == previous:
                return
            session.token = token
            session.token_expires_at = token_expiry(token, now)

    def _run(
        self, session: ShopSession, query: str, variables: dict[str, Any]
    ) -> GraphQLResult:
        try:
            self.refresh_token(session)
        except ShopRefusal as refusal:
            raise ShopRefusal(
                [
                    Problem(
                        "Your punch-out session has ended: start again from your "
                        "procurement system.",
                        "SESSION_EXPIRED",
                    ),
                    *refusal.problems,
                ]
            ) from refusal
        result = self.client.execute(query, variables, token=session.token)
        if result.token_expired:  # clocks differ: Saleor's word counts
            self.refresh_token(session, force=True)
            result = self.client.execute(query, variables, token=session.token)
        return result

    # ----------------------------------------------------------------- reading
    def channel_slug(self, session: ShopSession) -> str:
        if not session.channel_slug:
            data = _data(
                self._run(session, CHECKOUT_CHANNEL, {"id": session.checkout_id})
            )
            checkout = data.get("checkout")
            if not checkout:
                raise ShopRefusal([Problem(CART_GONE)])
            session.channel_slug = str(checkout["channel"]["slug"])
        return session.channel_slug

    def products(self, session: ShopSession, first: int) -> list[ProductSummary]:
        self.channel_slug(session)  # named when nothing is offered; asked once
        data = _data(
            self._run(
                session,
                PRODUCTS,
                {"checkoutId": session.checkout_id, "first": first},
            )
        )
        products = []
        for edge in (data.get("ociCatalogue") or {}).get("edges") or []:
            node = edge["node"]
            prices = [
                price
                for variant in node.get("variants") or []
                if (price := _net(variant.get("unitPrice"))) is not None
            ]
            products.append(
                ProductSummary(
                    id=node["id"],
                    name=node["name"],
                    price_from=min(prices, key=lambda money: money.amount)
                    if prices
                    else None,
                    image=_image((node.get("product") or {}).get("thumbnail")),
                )
            )
        return products

    def product(self, session: ShopSession, product_id: str) -> Product | None:
        data = _data(
            self._run(
                session,
                PRODUCT,
                {"id": product_id, "channel": self.channel_slug(session)},
            )
        )
        node = data.get("product")
        if not node:
            return None
        return Product(
            id=node["id"],
            name=node["name"],
            description=node.get("seoDescription") or "",
            variants=tuple(
                Variant(
                    id=variant["id"],
                    name=variant.get("name") or "",
                    sku=variant.get("sku") or "",
                    price=_money((variant.get("pricing") or {}).get("price")),
                    image=_image(next(iter(variant.get("media") or []), None)),
                )
                for variant in node.get("variants") or []
            ),
            image=_image(node.get("thumbnail")),
        )

    def cart(self, session: ShopSession) -> Cart:
        data = _data(self._run(session, CHECKOUT, {"id": session.checkout_id}))
        checkout = data.get("checkout")
        if not checkout:
            raise ShopRefusal(
                [Problem("The shop no longer finds this session's cart.")]
            )
        return Cart(
            lines=tuple(
                CartLine(
                    id=line["id"],
                    quantity=int(line["quantity"]),
                    product_id=line["variant"]["product"]["id"],
                    product_name=line["variant"]["product"]["name"],
                    variant_name=line["variant"].get("name") or "",
                    sku=line["variant"].get("sku") or "",
                    unit_price=_money(line.get("unitPrice")),
                    total_price=_money(line.get("totalPrice")),
                )
                for line in checkout.get("lines") or []
            ),
            total=_money(checkout.get("totalPrice")),
            budgets=tuple(
                str(budget.get("summary") or "")
                + ("" if budget.get("hard") else " (a guide: you may go over it)")
                for budget in data.get("ociCheckoutBudgets") or []
            ),
        )

    def ordering(self, session: ShopSession) -> Ordering | None:
        """The session's orderer, branch and cost centre; None if Saleor has none."""
        data = _data(self._run(session, ORDERING, {"checkoutId": session.checkout_id}))
        node = data.get("ociSession")
        if not node:
            return None
        member = node.get("member") or {}
        branch = node.get("branch") or {}
        name = " ".join(
            part for part in (member.get("firstName"), member.get("lastName")) if part
        )
        return Ordering(
            orderer_name=name,
            orderer_email=str(member.get("email") or ""),
            branch_id=str(branch.get("id") or ""),
            branch_name=str(branch.get("name") or ""),
            cost_centre=str(node.get("costCentre") or ""),
            branches=tuple(
                BranchChoice(
                    id=str(choice["branch"]["id"]),
                    name=str(choice["branch"]["name"]),
                    cost_centres=tuple(
                        CostCentre(
                            code=str(centre["code"]),
                            name=str(centre.get("name") or ""),
                            is_default=bool(centre.get("isDefault")),
                        )
                        for centre in choice.get("costCentres") or []
                    ),
                )
                for choice in node.get("orderingBranches") or []
            ),
        )

    # ---------------------------------------------------------------- changing
    def set_ordering(
        self, session: ShopSession, branch_id: str | None, cost_centre: str
    ) -> None:
        """``ociCheckoutOrderingSet``: the branch (None: keep) and cost centre."""
        self._mutate(
            session,
            ORDERING_SET,
            "ociCheckoutOrderingSet",
            {
                "id": session.checkout_id,
                "branch": branch_id,
                "costCentre": cost_centre,
            },
        )

    def add_line(self, session: ShopSession, variant_id: str, quantity: int) -> None:
        lines = [{"variantId": variant_id, "quantity": quantity}]
        self._mutate(
            session,
            LINES_ADD,
            "ociCheckoutLinesAdd",
            {"id": session.checkout_id, "lines": lines},
        )

    def update_line(self, session: ShopSession, line_id: str, quantity: int) -> None:
        lines = [{"lineId": line_id, "quantity": quantity}]
        self._mutate(
            session,
            LINES_UPDATE,
            "checkoutLinesUpdate",
            {"id": session.checkout_id, "lines": lines},
        )

    def delete_line(self, session: ShopSession, line_id: str) -> None:
        self._mutate(
            session,
            LINES_DELETE,
            "checkoutLinesDelete",
            {"id": session.checkout_id, "linesIds": [line_id]},
        )
        session.card_texts.pop(line_id, None)

    def set_card_text(
        self,
        session: ShopSession,
        text: str,
        line_id: str | None = None,
        with_logo: bool = False,
    ) -> None:
        self._mutate(
            session,
            CARD_SET,
            "ociGreetingCardSet",
            {
                "checkoutId": session.checkout_id,
                "text": text,
                "lineId": line_id,
                "withLogo": with_logo,
            },
        )
        key = line_id or ""
        if text.strip():
            session.card_texts[key] = text.strip()
        else:
            session.card_texts.pop(key, None)
        if text.strip() and with_logo:
            session.card_logos.add(key)
        else:
            session.card_logos.discard(key)

    def card_preview(
        self, session: ShopSession, text: str, with_logo: bool
    ) -> "CardPreview":
        """The card as it will be printed (Saleor rasterises the print PDF)."""
        data = _data(
            self._run(
                session,
                CARD_PREVIEW,
                {
                    "checkoutId": session.checkout_id,
                    "text": text,
                    "withLogo": with_logo,
                },
            )
        )
        node = data.get("ociGreetingCardPreview") or {}
        image = str(node.get("image") or "")
        if not image.startswith(_PNG_DATA_URL):
            raise ShopRefusal([Problem("The shop sent no card preview.")])
        return CardPreview(
            image=image,
            problems=tuple(
                Problem(str(problem["message"]), str(problem["code"]))
                for problem in node.get("problems") or ()
            ),
        )

    def transfer(self, session: ShopSession) -> str:
        """The OCI form page that posts the cart to HOOK_URL; closes the session."""
        payload = self._mutate(
            session, TRANSFER, "ociCheckoutTransfer", {"id": session.checkout_id}
        )
        sent = payload.get("transfer") or {}
        page = self._form_page(session, sent.get("html"))
        warnings = [str(text) for text in sent.get("budgetWarnings") or []]
        return with_budget_warnings(page, warnings) if warnings else page

    def cancel(self, session: ShopSession) -> str:
        """The empty OCI form page (nothing chosen); closes the session."""
        payload = self._mutate(
            session, CANCEL, "ociCheckoutCancel", {"id": session.checkout_id}
        )
        page = (payload.get("form") or {}).get("html")
        if session.operation == INSPECT and not page:
            # An inspect may have nowhere to send anything back to.
            session.closed = True
            return INSPECT_CLOSED_PAGE
        return self._form_page(session, page)

    def _form_page(self, session: ShopSession, page: object) -> str:
        if not isinstance(page, str) or not page:
            raise ShopRefusal([Problem("The shop returned no OCI form.")])
        session.closed = True
        return page

    def _mutate(
        self, session: ShopSession, query: str, name: str, variables: dict[str, Any]
    ) -> dict[str, Any]:
        return _payload(self._run(session, query, variables), name)


def with_budget_warnings(page: str, warnings: Sequence[str]) -> str:
    """The OCI form page, held for the buyer to read a soft budget's warning: the
    warning on top, the form's own button shown, its auto-submit script removed
    (the cart was sent with the warning; pressing the button hands it over)."""
    box = (
        '<div role="alert" class="budget-warning"><p><strong>Over budget</strong>'
        "</p><ul>"
        + "".join(f"<li>{html.escape(text)}</li>" for text in warnings)
        + "</ul><p>Your cart goes over this budget; you may still send it.</p></div>"
    )
    held = page.replace(f">{oci.AUTO_SUBMIT_SCRIPT}</script>", "></script>")
    held = held.replace("<noscript>", "").replace("</noscript>", "")
    held = held.replace("</head>", f"<style>{HELD_FORM_STYLE}</style>\n</head>", 1)
    return held.replace("<body>\n", "<body>\n" + box, 1)


# The held form in the storefront's look: the warning in an amber box.
HELD_FORM_STYLE = (
    "body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 64rem;"
    " padding: 1rem 1.5rem; color: #1d2a33; }"
    " .budget-warning { border-left: 4px solid #b9770e; background: #fdf6e3;"
    " padding: .4rem .8rem; margin: .8rem 0; }"
    " button { padding: .4rem .8rem; }"
)


def _data(result: GraphQLResult) -> dict[str, Any]:
    if result.errors:
        raise ShopRefusal(_top_level_problems(result))
    return result.data or {}


def _payload(result: GraphQLResult, name: str) -> dict[str, Any]:
    payload = _data(result).get(name)
    if not isinstance(payload, dict):
        raise ShopRefusal([Problem(f"The shop's answer has no {name} result.")])
    errors = payload.get("errors") or []
    if errors:
        raise ShopRefusal(
            [
                Problem(
                    message=str(error.get("message") or error.get("code") or error),
                    code=str(error.get("code") or ""),
                    field=str(error.get("field") or ""),
                )
                for error in errors
            ]
        )
    return payload


def _top_level_problems(result: GraphQLResult) -> list[Problem]:
    problems = []
    for error in result.errors:
        extensions = error.get("extensions")
        exception = extensions.get("exception") if isinstance(extensions, dict) else {}
        code = exception.get("code") if isinstance(exception, dict) else ""
        problems.append(Problem(str(error.get("message", error)), str(code or "")))
    return problems


def _money(value: object) -> Money | None:
    """The net amount of Saleor's TaxedMoney."""
    net = value.get("net") if isinstance(value, dict) else None
    if not isinstance(net, dict) or net.get("amount") is None:
        return None
    return Money(Decimal(str(net["amount"])), str(net.get("currency") or ""))


def _image(value: object) -> Image | None:
    """Saleor's ``{url alt}``; only an http(s) URL is shown (pages allow no other)."""
    if not isinstance(value, dict):
        return None
    url = value.get("url")
    if not isinstance(url, str) or not url.lower().startswith(("https://", "http://")):
        return None
    return Image(url=url, alt=str(value.get("alt") or ""))


def _net(value: object) -> Money | None:
    """A plain ``Money`` (the plugin's unit net price)."""
    if not isinstance(value, dict) or value.get("amount") is None:
        return None
    return Money(Decimal(str(value["amount"])), str(value.get("currency") or ""))


def _timestamp(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None
