"""The storefront's pages: server-rendered HTML, every value escaped, no scripts
but one: the cart's live greeting-card preview (:data:`CARD_PREVIEW_SCRIPT`,
allowed by its hash), without which the page works as before.

Links and forms carry the session id in their path (``/s/<id>/...``); every form
that changes something carries the session's form token.
"""

from collections.abc import Sequence
from urllib.parse import quote

from saleor_oci_plugin.webapp.html import escape, html_document, page_style

from .sessions import ShopSession
from .shop import Cart, Image, Ordering, Problem, Product, ProductSummary

MAX_QUANTITY = 9999

STYLE = page_style(
    "64rem",
    """
.problem { border-color: #c0392b; }
.card { white-space: pre-wrap; }
form.inline { display: inline; }
input[type=number] { width: 5rem; }
textarea { width: 100%; max-width: 40rem; }
img.thumb { width: 64px; height: 64px; object-fit: contain; display: block; }
img.photo { max-width: 100%; width: 320px; height: auto; display: block;
            margin: .5rem 0 1rem; }
.field-error { color: #c0392b; margin: .2rem 0; }
img.card-preview { width: 360px; max-width: 100%; height: auto; display: block;
                   margin: .4rem 0; box-shadow: 0 1px 4px rgba(0,0,0,.35); }
img.card-preview[hidden] { display: none; }
select { padding: .3rem; max-width: 100%; }
""",
)


def session_path(session: ShopSession, rest: str = "") -> str:
    return f"/s/{quote(session.id, safe='')}/{rest}"


def product_path(session: ShopSession, product_id: str) -> str:
    # Global ids are base64: "/" and "+" are quoted, the route takes the rest.
    return session_path(session, "product/" + quote(product_id, safe=""))


def layout(title: str, body: str, session: ShopSession | None = None) -> str:
    nav = (
        f'<nav><a href="{escape(session_path(session))}">Products</a>'
        f'<a href="{escape(session_path(session, "cart"))}">Cart</a></nav>\n'
        if session is not None and not session.closed
        else ""
    )
    return html_document(
        title=title, site="punch-out shop", style=STYLE, nav=nav, body=body
    )


def problems_box(problems: Sequence[Problem]) -> str:
    if not problems:
        return ""
    items = "".join(
        "<li>"
        + (f"<code>{escape(problem.code)}</code> " if problem.code else "")
        + escape(problem.message)
        + "</li>"
        for problem in problems
    )
    return f'<div class="box problem" role="alert"><ul>{items}</ul></div>'


def message_page(title: str, message: str, problems: Sequence[Problem] = ()) -> str:
    return layout(
        title,
        f'<div class="box problem"><p>{escape(message)}</p></div>'
        + problems_box(problems),
    )


def _form(session: ShopSession, action: str, inner: str, css: str = "") -> str:
    css_attribute = f' class="{css}"' if css else ""
    return (
        f'<form method="post" action="{escape(session_path(session, action))}"'
        f"{css_attribute}>"
        f'<input type="hidden" name="form_token" value="{escape(session.form_token)}">'
        f"{inner}</form>"
    )


def image_tag(image: Image | None, css: str) -> str:
    """Saleor's picture, or nothing: its URL is an http(s) one (see ``shop``)."""
    if image is None:
        return ""
    return (
        f'<img class="{css}" src="{escape(image.url)}" alt="{escape(image.alt)}" '
        'loading="lazy">'
    )


def products_page(
    session: ShopSession, products: Sequence[ProductSummary], channel: str
) -> str:
    if not products:
        body = f"<p>The channel {escape(channel)} has no products for you.</p>"
    else:
        # A picture column only when Saleor has a picture of one of them.
        pictures = any(product.image for product in products)
        rows = "".join(
            "<tr>"
            + (f"<td>{image_tag(product.image, 'thumb')}</td>" if pictures else "")
            + f'<td><a href="{escape(product_path(session, product.id))}">'
            f"{escape(product.name)}</a></td>"
            f'<td class="number">{escape(product.price_from or "")}</td></tr>'
            for product in products
        )
        body = (
            "<table><tr>"
            + ("<th>Picture</th>" if pictures else "")
            + f"<th>Product</th><th>Price (excl. VAT)</th></tr>{rows}</table>"
        )
    return layout("Products", body, session)


def product_page(
    session: ShopSession, product: Product, problems: Sequence[Problem] = ()
) -> str:
    rows = "".join(
        f"<tr><td>{image_tag(variant.image, 'thumb')}"
        f"{escape(variant.name or product.name)}</td>"
        f"<td>{escape(variant.sku)}</td>"
        f'<td class="number">{escape(variant.price or "")}</td><td>'
        + _form(
            session,
            "cart/add",
            f'<input type="hidden" name="variant" value="{escape(variant.id)}">'
            f'<input type="hidden" name="product" value="{escape(product.id)}">'
            f'<label>Quantity <input type="number" name="quantity" value="1" '
            f'min="1" max="{MAX_QUANTITY}"></label>'
            "<button>Add to cart</button>",
        )
        + "</td></tr>"
        for variant in product.variants
    )
    description = f"<p>{escape(product.description)}</p>" if product.description else ""
    table = (
        "<table><tr><th>Variant</th><th>SKU</th><th>Price (excl. VAT)</th>"
        f"<th></th></tr>{rows}</table>"
        if rows
        else "<p>This product has no variants to order.</p>"
    )
    return layout(
        product.name,
        problems_box(problems)
        + image_tag(product.image, "photo")
        + description
        + table,
        session,
    )


def cart_page(
    session: ShopSession,
    cart: Cart | None,
    problems: Sequence[Problem] = (),
    ordering: Ordering | None = None,
) -> str:
    # Refusals of the branch and cost-centre form are shown beside it.
    ordering_problems = [p for p in problems if p.field in ORDERING_FIELDS]
    problems = [p for p in problems if p.field not in ORDERING_FIELDS]
    if cart is None:  # the cart could not be read: the problems say why
        return layout("Your cart", problems_box(problems), session)
    if session.operation == "inspect":
        return _read_only_cart_page(session, cart, problems)
    parts = [problems_box(problems)]
    if ordering is not None:
        parts.append(ordering_box(session, ordering, ordering_problems))
    elif ordering_problems:
        parts.append(problems_box(ordering_problems))
    parts.extend(
        f'<p class="budget">Budget: {escape(budget)}</p>' for budget in cart.budgets
    )
    if not cart.lines:
        parts.append("<p>Your cart is empty.</p>")
    else:
        rows = []
        for line in cart.lines:
            card = session.card_texts.get(line.id, "")
            card_logo = line.id in session.card_logos
            rows.append(
                f'<tr><td><a href="{escape(product_path(session, line.product_id))}">'
                f"{escape(line.product_name)}</a>"
                + (
                    f" ({escape(line.variant_name)})"
                    if line.variant_name and line.variant_name != line.product_name
                    else ""
                )
                + f"</td><td>{escape(line.sku)}</td><td>"
                + _form(
                    session,
                    "cart/update",
                    f'<input type="hidden" name="line" value="{escape(line.id)}">'
                    f'<input type="number" name="quantity" value="{line.quantity}" '
                    f'min="1" max="{MAX_QUANTITY}" aria-label="Quantity">'
                    "<button>Change</button>",
                    "inline",
                )
                + f'</td><td class="number">{escape(line.unit_price or "")}</td>'
                f'<td class="number">{escape(line.total_price or "")}</td><td>'
                + _form(
                    session,
                    "cart/remove",
                    f'<input type="hidden" name="line" value="{escape(line.id)}">'
                    "<button>Remove</button>",
                    "inline",
                )
                + "</td><td>"
                + _card_form(session, card, line.id, card_logo)
                + "</td></tr>"
            )
        parts.append(
            "<table><tr><th>Product</th><th>SKU</th><th>Quantity</th>"
            "<th>Unit price (excl. VAT)</th><th>Total (excl. VAT)</th><th></th>"
            f"<th>Card for this line</th></tr>{''.join(rows)}</table>"
        )
        if cart.total is not None:
            parts.append(
                f"<p>Total excl. VAT: <strong>{escape(cart.total)}</strong></p>"
            )
    parts.append("<h2>Greeting card for the whole order</h2>")
    parts.append(
        _card_form(
            session, session.card_texts.get("", ""), None, "" in session.card_logos
        )
    )
    parts.append("<h2>Done?</h2>")
    parts.append(
        _form(
            session,
            "transfer",
            "<button>Transfer to my procurement system</button>",
            "inline",
        )
        + _form(session, "cancel", "<button>Cancel, choose nothing</button>", "inline")
    )
    parts.append(f"<script>{CARD_PREVIEW_SCRIPT}</script>")
    return layout("Your cart", "".join(parts), session)


# Fields of ociCheckoutOrderingSet's refusals (GraphQL names and the plugin's).
ORDERING_FIELDS = frozenset({"branch", "costCentre", "cost_centre"})
# A choice posts "<branch id> <cost centre code>": ids are base64, without spaces.
CHOICE_SEPARATOR = " "


def ordering_box(
    session: ShopSession, ordering: Ordering, problems: Sequence[Problem] = ()
) -> str:
    """Who orders, for which branch and cost centre, and the form to change them."""
    who = escape(ordering.orderer_name or ordering.orderer_email)
    if ordering.orderer_name and ordering.orderer_email:
        who += f" &lt;{escape(ordering.orderer_email)}&gt;"
    orderer = f"<p>Ordering as <strong>{who}</strong></p>" if who else ""
    current = (
        f"<p>Ordering for <strong>{escape(ordering.branch_name or 'no branch')}"
        "</strong>, cost centre <strong>"
        f"{escape(ordering.cost_centre or 'none')}</strong></p>"
    )
    groups = []
    for branch in ordering.branches:
        options = [
            _option(
                f"{branch.id}{CHOICE_SEPARATOR}{centre.code}",
                # The branch too: a closed list shows the option, not its group.
                f"{branch.name}: {centre.code} {centre.name}".strip()
                + (" (default)" if centre.is_default else ""),
                branch.id == ordering.branch_id and centre.code == ordering.cost_centre,
            )
            for centre in branch.cost_centres
        ]
        options.append(
            _option(
                f"{branch.id}{CHOICE_SEPARATOR}",
                f"{branch.name}: no cost centre",
                branch.id == ordering.branch_id and not ordering.cost_centre,
            )
        )
        groups.append(
            f'<optgroup label="{escape(branch.name)}">{"".join(options)}</optgroup>'
        )
    if not groups:
        return f'<div class="box">{orderer}{current}</div>'
    errors = "".join(
        f'<p class="field-error" role="alert">{escape(problem.message)}</p>'
        for problem in problems
    )
    form = _form(
        session,
        "cart/ordering",
        '<label for="ordering-choice">Branch and cost centre</label><br>'
        f'<select id="ordering-choice" name="choice">{"".join(groups)}</select>'
        f"{errors}<button>Use this branch and cost centre</button>",
    )
    return f'<div class="box">{orderer}{current}{form}</div>'


def _option(value: str, label: str, selected: bool) -> str:
    chosen = " selected" if selected else ""
    return f'<option value="{escape(value)}"{chosen}>{escape(label)}</option>'


def _read_only_cart_page(
    session: ShopSession, cart: Cart, problems: Sequence[Problem]
) -> str:
    """An inspect: the cart the procurement system holds, shown, not changeable."""
    rows = "".join(
        f"<tr><td>{escape(line.product_name)}</td><td>{escape(line.sku)}</td>"
        f'<td class="number">{line.quantity}</td>'
        f'<td class="number">{escape(line.unit_price or "")}</td>'
        f'<td class="number">{escape(line.total_price or "")}</td></tr>'
        for line in cart.lines
    )
    return layout(
        "Your cart (read-only)",
        problems_box(problems)
        + '<p class="notice">Your procurement system opened this cart to show it '
        "(inspect): it cannot be changed here.</p>"
        + (
            "<table><tr><th>Product</th><th>SKU</th><th>Quantity</th>"
            f"<th>Unit price</th><th>Total</th></tr>{rows}</table>"
            if cart.lines
            else "<p>The cart is empty.</p>"
        )
        + (
            f"<p>Total: <strong>{escape(cart.total)}</strong></p>"
            if cart.total is not None
            else ""
        )
        + _form(session, "cancel", "<button>Close</button>", "inline"),
        session,
    )


# Asks the storefront for the printed card's image as the buyer types (300 ms
# after the last key), and shows it with what would refuse the text. A late
# answer to an older text is dropped.
CARD_PREVIEW_SCRIPT = """
document.querySelectorAll("div.card-form").forEach(function (box) {
  var text = box.querySelector("textarea");
  var logo = box.querySelector("input[name=with_logo]");
  var image = box.querySelector("img.card-preview");
  var note = box.querySelector(".card-problems");
  var timer = null, asked = 0;
  function show() {
    var number = ++asked;
    var query = "text=" + encodeURIComponent(text.value) +
      (logo && logo.checked ? "&logo=1" : "");
    fetch(box.dataset.preview + "?" + query, {credentials: "omit"})
      .then(function (answer) { return answer.json(); })
      .then(function (answer) {
        if (number !== asked) { return; }
        if (answer.image) { image.src = answer.image; image.hidden = false; }
        note.textContent = (answer.problems || []).join(" ");
      })
      .catch(function () {});
  }
  function later() { clearTimeout(timer); timer = setTimeout(show, 300); }
  text.addEventListener("input", later);
  if (logo) { logo.addEventListener("change", show); }
  if (text.value.trim()) { show(); }
});
"""


def _card_form(
    session: ShopSession, text: str, line_id: str | None, with_logo: bool = False
) -> str:
    line_field = (
        f'<input type="hidden" name="line" value="{escape(line_id)}">'
        if line_id
        else ""
    )
    current = (
        f'<p class="card">Card text: {escape(text)}'
        + (" (with our logo)" if with_logo else "")
        + "</p>"
        if text
        else ""
    )
    checked = " checked" if with_logo else ""
    return (
        f'<div class="card-form" data-preview='
        f'"{escape(session_path(session, "cart/card-preview"))}">'
        + current
        + _form(
            session,
            "cart/card",
            line_field + '<textarea name="text" rows="3" maxlength="1000" '
            f'aria-label="Card text">{escape(text)}</textarea><br>'
            f'<label><input type="checkbox" name="with_logo" value="1"{checked}> '
            "Print our company logo</label><br><button>Set card text</button>",
        )
        + '<p class="card-problems field-error" aria-live="polite"></p>'
        '<img class="card-preview" alt="The card as it will be printed" hidden>'
        "</div>"
    )


def session_over_page() -> str:
    return message_page(
        "Session ended",
        "This punch-out session is unknown or has ended. Start again from your "
        "procurement system.",
    )
