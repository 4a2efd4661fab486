"""The organisation portal's pages: server-rendered, every value escaped, no scripts.

Forms are described by :class:`FormState`: the values as posted (or as Saleor has
them) and Saleor's refusals. A refusal whose ``field`` names a field of the form
is shown beside that field; the others in a box above the form. Field names are
the GraphQL input's own (camelCase), so Saleor's ``errors { field }`` map to them
without a table.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from saleor_oci_plugin.webapp.html import escape, html_document

from .pages import STYLE
from .shop import Problem

SITE = "organisation portal"
PORTAL_STYLE = (
    STYLE
    + """
.field { margin: .7rem 0; }
.field > label, fieldset legend { font-weight: 600; display: block;
                                  margin-bottom: .2rem; }
.field input[type=text], .field input[type=email], .field input[type=password],
.field select, .field textarea { width: 100%; max-width: 28rem; padding: .35rem;
                                 box-sizing: border-box; }
.field textarea { max-width: 40rem; }
.hint { color: #5a6b77; font-size: .9rem; margin: .1rem 0; }
.invalid input, .invalid select, .invalid textarea { border: 2px solid #c0392b; }
fieldset { border: 1px solid #c9d3da; margin: .8rem 0; padding: .4rem .8rem; }
fieldset label { font-weight: normal; display: inline-block; margin-right: 1rem; }
.bar { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap;
       border-bottom: 1px solid #c9d3da; padding-bottom: .5rem; }
.bar a { margin-right: 0; }
.bar .who { margin-left: auto; color: #5a6b77; font-size: .9rem; }
.bar form { display: inline; }
.bar button { margin: 0; }
.notice { border-color: #2e7d32; }
.muted { color: #5a6b77; }
form.inline { display: inline; }
th.number { text-align: right; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
td.over { color: #c0392b; font-weight: 600; }
td form { margin: 0; }
img.logo { max-width: 16rem; max-height: 8rem; border: 1px solid #c9d3da;
           padding: .3rem; background: #fff; }
"""
)
# Labels of the plugin's invoicing preferences (OciInvoicingPreference).
INVOICING_PREFERENCES = (
    ("PER_ORDER", "One invoice per order"),
    ("PERIODIC_PER_BRANCH", "Periodic invoice per branch"),
    ("PERIODIC_CONSOLIDATED", "Periodic consolidated invoice"),
)
ROLES = (("ORDERER", "Orderer (besteller)"), ("ADMIN", "Administrator"))
NAV = (
    ("/portal/members", "Members"),
    ("/portal/branches", "Branches"),
    ("/portal/organisation", "Organisation"),
    ("/portal/budgets", "Budgets"),
    ("/portal/orders", "Orders"),
    ("/portal/invoices", "Invoices"),
)


@dataclass
class FormState:
    """A form's values (one or more per name) and the problems Saleor reported."""

    values: dict[str, list[str]] = field(default_factory=dict)
    problems: Sequence[Problem] = ()

    def get(self, name: str) -> str:
        found = self.values.get(name) or [""]
        return found[0]

    def get_all(self, name: str) -> list[str]:
        return list(self.values.get(name) or [])

    def errors_for(self, name: str) -> list[Problem]:
        return [problem for problem in self.problems if problem.field == name]

    def other_problems(self, names: Sequence[str]) -> list[Problem]:
        """The problems not shown beside one of these fields."""
        return [problem for problem in self.problems if problem.field not in names]

    @classmethod
    def of(cls, values: Mapping[str, object]) -> "FormState":
        """Values as Saleor has them: a list stays a list, None is empty."""
        converted: dict[str, list[str]] = {}
        for key, value in values.items():
            if isinstance(value, list | tuple):
                converted[key] = [str(item) for item in value]
            else:
                converted[key] = ["" if value is None else str(value)]
        return cls(converted)


@dataclass(frozen=True)
class Viewer:
    """Who sees the page: the nav bar and every form's CSRF token."""

    email: str
    csrf_token: str
    organisation: str = ""


# --------------------------------------------------------------------- shell
def layout(
    title: str, body: str, viewer: Viewer | None = None, notice: str = ""
) -> str:
    nav = ""
    if viewer is not None:
        links = "".join(
            f'<a href="{escape(path)}">{escape(label)}</a>' for path, label in NAV
        )
        who = escape(viewer.email) + (
            f" · {escape(viewer.organisation)}" if viewer.organisation else ""
        )
        # The sign-out button stays beside who is signed in when the bar wraps.
        nav = (
            f'<nav class="bar">{links}<span class="who">{who} '
            + post_form(viewer, "/portal/sign-out", "<button>Sign out</button>")
            + "</span></nav>\n"
        )
    notice_html = (
        f'<div class="box notice" role="status"><p>{escape(notice)}</p></div>'
        if notice
        else ""
    )
    return html_document(
        title=title, site=SITE, style=PORTAL_STYLE, nav=nav, body=notice_html + body
    )


def problems_box(problems: Sequence[Problem]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{escape(problem.message)}</li>" for problem in problems)
    return f'<div class="box problem" role="alert"><ul>{items}</ul></div>'


def message_page(title: str, message: str, viewer: Viewer | None = None) -> str:
    return layout(
        title, f'<div class="box problem"><p>{escape(message)}</p></div>', viewer
    )


def refused_page(viewer: Viewer, problems: Sequence[Problem]) -> str:
    """What the shop refused where no form expected it."""
    return layout("Not done", problems_box(problems), viewer)


def post_form(
    viewer: Viewer | None,
    action: str,
    inner: str,
    css: str = "inline",
    *,
    multipart: bool = False,
) -> str:
    """A POST form carrying the session's CSRF token (none before signing in)."""
    token = (
        f'<input type="hidden" name="csrf_token" value="{escape(viewer.csrf_token)}">'
        if viewer is not None
        else ""
    )
    css_attribute = f' class="{css}"' if css else ""
    if multipart:
        css_attribute += ' enctype="multipart/form-data"'
    return (
        f'<form method="post" action="{escape(action)}"{css_attribute}>'
        f"{token}{inner}</form>"
    )


# -------------------------------------------------------------------- fields
def _errors(form: FormState, name: str) -> str:
    return "".join(
        f'<p class="field-error" id="{escape(name)}-error">'
        f"{escape(problem.message)}</p>"
        for problem in form.errors_for(name)
    )


def _field(form: FormState, name: str, label: str, control: str, hint: str) -> str:
    invalid = " invalid" if form.errors_for(name) else ""
    hint_html = f'<p class="hint">{escape(hint)}</p>' if hint else ""
    return (
        f'<div class="field{invalid}"><label for="{escape(name)}">{escape(label)}'
        f"</label>{hint_html}{control}{_errors(form, name)}</div>"
    )


def _described(form: FormState, name: str) -> str:
    if form.errors_for(name):
        return f' aria-invalid="true" aria-describedby="{escape(name)}-error"'
    return ""


def text_field(
    form: FormState,
    name: str,
    label: str,
    *,
    kind: str = "text",
    required: bool = False,
    hint: str = "",
    autocomplete: str = "",
) -> str:
    value = "" if kind == "password" else form.get(name)
    attributes = " required" if required else ""
    if autocomplete:
        attributes += f' autocomplete="{escape(autocomplete)}"'
    control = (
        f'<input type="{kind}" id="{escape(name)}" name="{escape(name)}" '
        f'value="{escape(value)}"{attributes}{_described(form, name)}>'
    )
    return _field(form, name, label, control, hint)


def textarea_field(
    form: FormState, name: str, label: str, *, hint: str = "", rows: int = 4
) -> str:
    control = (
        f'<textarea id="{escape(name)}" name="{escape(name)}" rows="{rows}"'
        f"{_described(form, name)}>{escape(form.get(name))}</textarea>"
    )
    return _field(form, name, label, control, hint)


def _option(value: str, label: str, chosen: bool) -> str:
    selected = " selected" if chosen else ""
    return f'<option value="{escape(value)}"{selected}>{escape(label)}</option>'


def select_field(
    form: FormState,
    name: str,
    label: str,
    options: Sequence[tuple[str, str]],
    *,
    groups: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (),
    hint: str = "",
) -> str:
    """A select of ``options``, then of ``groups`` (``optgroup`` label, options)."""
    current = form.get(name)
    parts = [_option(value, text, value == current) for value, text in options]
    for group_label, group_options in groups:
        parts.append(
            f'<optgroup label="{escape(group_label)}">'
            + "".join(
                _option(value, text, value == current) for value, text in group_options
            )
            + "</optgroup>"
        )
    control = (
        f'<select id="{escape(name)}" name="{escape(name)}"{_described(form, name)}>'
        f"{''.join(parts)}</select>"
    )
    return _field(form, name, label, control, hint)


def checkbox_fieldset(
    form: FormState,
    name: str,
    legend: str,
    options: Sequence[tuple[str, str]],
    hint: str = "",
) -> str:
    chosen = set(form.get_all(name))
    boxes = "".join(
        f'<label><input type="checkbox" name="{escape(name)}" value="{escape(value)}"'
        + (" checked" if value in chosen else "")
        + f"> {escape(text)}</label>"
        for value, text in options
    )
    hint_html = f'<p class="hint">{escape(hint)}</p>' if hint else ""
    invalid = ' class="invalid"' if form.errors_for(name) else ""
    return (
        f"<fieldset{invalid}><legend>{escape(legend)}</legend>{hint_html}{boxes}"
        f"{_errors(form, name)}</fieldset>"
    )


# ------------------------------------------------------------ signing in
SIGN_IN_FIELDS = ("email", "password")


def sign_in_page(form: FormState, notice: str = "") -> str:
    body = (
        problems_box(form.other_problems(SIGN_IN_FIELDS))
        + "<p>For administrators of a business account: manage your organisation's "
        "people, branches and cost centres, and see its orders and invoices.</p>"
        + post_form(
            None,
            "/portal/sign-in",
            text_field(
                form, "email", "E-mail", kind="email", required=True,
                autocomplete="username",
            )
            + text_field(
                form, "password", "Password", kind="password", required=True,
                autocomplete="current-password",
            )
            + "<button>Sign in</button>",
            "",
        )
        + '<p><a href="/portal/forgot-password">Forgot your password?</a></p>'
    )  # fmt: skip
    return layout("Sign in", body, notice=notice)


def forgot_password_page(form: FormState, sent: bool = False) -> str:
    if sent:
        body = (
            '<div class="box notice"><p>If an account with this e-mail address '
            "exists, a link to set a new password is on its way. It works once.</p>"
            '</div><p><a href="/portal/sign-in">Back to sign in</a></p>'
        )
        return layout("Forgot your password?", body)
    body = (
        problems_box(form.other_problems(("email",)))
        + "<p>We send you a link to set a new password.</p>"
        + post_form(
            None,
            "/portal/forgot-password",
            text_field(form, "email", "E-mail", kind="email", required=True)
            + "<button>Send the link</button>",
            "",
        )
        + '<p><a href="/portal/sign-in">Back to sign in</a></p>'
    )
    return layout("Forgot your password?", body)


def set_password_page(form: FormState) -> str:
    body = (
        problems_box(form.other_problems(("password", "confirm")))
        + f"<p>Choose a password for <strong>{escape(form.get('email'))}</strong>."
        "</p>"
        + post_form(
            None,
            "/portal/set-password",
            f'<input type="hidden" name="email" value="{escape(form.get("email"))}">'
            f'<input type="hidden" name="token" value="{escape(form.get("token"))}">'
            + text_field(
                form, "password", "New password", kind="password", required=True,
                autocomplete="new-password",
            )
            + text_field(
                form, "confirm", "The same password again", kind="password",
                required=True, autocomplete="new-password",
            )
            + "<button>Set password and sign in</button>",
            "",
        )
    )  # fmt: skip
    return layout("Set your password", body)


def not_admin_page(viewer: Viewer) -> str:
    body = (
        '<div class="box problem"><p>Only administrators manage the organisation. '
        "Your account orders through your procurement system's punch-out; ask one "
        "of your organisation's administrators to change your branches or cost "
        "centres.</p></div>"
        + post_form(viewer, "/portal/sign-out", "<button>Sign out</button>")
    )
    return html_document(
        title="Only administrators manage the organisation",
        site=SITE,
        style=PORTAL_STYLE,
        nav="",
        body=body,
    )


# ------------------------------------------------------------------ members
def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def _name(node: Mapping[str, Any]) -> str:
    return " ".join(
        part for part in (node.get("firstName"), node.get("lastName")) if part
    )


def member_path(node: Mapping[str, Any]) -> str:
    return "/portal/member?" + urlencode({"id": node["id"], "email": node["email"]})


def members_page(
    viewer: Viewer,
    connection: Mapping[str, Any],
    *,
    search: str,
    after: str,
    notice: str = "",
    problems: Sequence[Problem] = (),
) -> str:
    rows = []
    for edge in connection.get("edges") or []:
        node = edge["node"]
        status = "active" if node.get("isActive") else "deactivated"
        if node.get("isActive") and not node.get("canSignIn"):
            status = "invited, no password yet" if node.get("invitedAt") else status
        branches = ", ".join(branch["name"] for branch in node.get("branches") or [])
        hidden = (
            f'<input type="hidden" name="id" value="{escape(node["id"])}">'
            f'<input type="hidden" name="email" value="{escape(node["email"])}">'
        )
        toggle = post_form(
            viewer,
            "/portal/member/active",
            hidden + f'<input type="hidden" name="isActive" '
            f'value="{"false" if node.get("isActive") else "true"}">'
            + (
                "<button>Deactivate</button>"
                if node.get("isActive")
                else "<button>Reactivate</button>"
            ),
        )
        # Only for someone who has not set a password yet.
        resend = (
            post_form(
                viewer,
                "/portal/member/resend",
                hidden + "<button>Resend invitation</button>",
            )
            if node.get("isActive") and not node.get("canSignIn")
            else ""
        )
        rows.append(
            f"<tr><td>{escape(_name(node))}</td><td>{escape(node['email'])}</td>"
            f"<td>{escape(dict(ROLES).get(node.get('role') or '', node.get('role')))}"
            f"</td><td>{escape(branches or 'all')}</td>"
            f"<td>{escape(node.get('defaultCostCentre') or '')}</td>"
            f"<td>{escape(status)}</td>"
            f'<td><a href="{escape(member_path(node))}">Edit</a> {resend}{toggle}'
            "</td></tr>"
        )
    search_form = (
        '<form method="get" action="/portal/members" class="inline">'
        '<label for="search">Search</label> '
        f'<input type="text" id="search" name="search" value="{escape(search)}">'
        "<button>Search</button></form>"
    )
    table = (
        "<table><tr><th>Name</th><th>E-mail</th><th>Role</th><th>Branches</th>"
        "<th>Default cost centre</th><th>Status</th><th></th></tr>"
        + "".join(rows)
        + "</table>"
        if rows
        else "<p>No members found.</p>"
    )
    page_info = connection.get("pageInfo") or {}
    paging = []
    if after:
        paging.append(
            '<a href="/portal/members?'
            + escape(urlencode({"search": search}))
            + '">First page</a>'
        )
    if page_info.get("hasNextPage") and page_info.get("endCursor"):
        paging.append(
            '<a href="/portal/members?'
            + escape(urlencode({"search": search, "after": page_info["endCursor"]}))
            + '">Next page</a>'
        )
    body = (
        problems_box(problems)
        + '<p><a href="/portal/members/invite">Invite a person</a></p>'
        + search_form
        + f'<p class="muted">{int(connection.get("totalCount") or 0)} member(s)</p>'
        + table
        + " · ".join(paging)
    )
    return layout("Members", body, viewer, notice)


MEMBER_FIELDS = (
    "email",
    "firstName",
    "lastName",
    "role",
    "branches",
    "defaultBranch",
    "defaultCostCentre",
    "externalId",
)


def member_form_page(
    viewer: Viewer,
    organisation: Mapping[str, Any],
    form: FormState,
    *,
    member: Mapping[str, Any] | None = None,
) -> str:
    """The invitation form (``member`` None) or a member's settings."""
    branches = organisation.get("branches") or []
    branch_options = [(branch["id"], branch["name"]) for branch in branches]
    cost_centre_groups = [
        (
            branch["name"],
            [
                (centre["code"], f"{centre['code']} {centre['name']}".strip())
                for centre in branch.get("costCentres") or []
            ],
        )
        for branch in branches
        if branch.get("costCentres")
    ]
    fields = (
        (
            text_field(form, "email", "E-mail", kind="email", required=True)
            if member is None
            else _hidden("email", form.get("email"))
        )
        + text_field(form, "firstName", "First name")
        + text_field(form, "lastName", "Last name")
        + select_field(form, "role", "Role", ROLES)
        + checkbox_fieldset(
            form,
            "branches",
            "Branches they may order for",
            branch_options,
            "None ticked: all branches.",
        )
        + select_field(
            form,
            "defaultBranch",
            "Default branch",
            [("", "None"), *branch_options],
            hint="The branch a punch-out starts with.",
        )
        + select_field(
            form,
            "defaultCostCentre",
            "Default cost centre",
            [("", "The default branch's default")],
            groups=cost_centre_groups,
            hint="One of the default branch's cost centres.",
        )
        + text_field(
            form,
            "externalId",
            "User id in the procurement system",
            hint="Optional: lets punch-in recognise this person.",
        )
    )
    if member is None:
        title, action, button = "Invite a person", "/portal/members/invite", "Invite"
        intro = (
            "<p>They get an e-mail with a link to set their password for this "
            "portal and for punch-out.</p>"
        )
    else:
        title = f"Member {_name(member) or member['email']}"
        action, button = "/portal/member", "Save"
        intro = f"<p>{escape(member['email'])}</p>"
        fields = f'<input type="hidden" name="id" value="{escape(member["id"])}">' + (
            fields
        )
    body = (
        problems_box(form.other_problems(MEMBER_FIELDS))
        + intro
        + post_form(viewer, action, fields + f"<button>{button}</button>", "")
        + '<p><a href="/portal/members">Back to the members</a></p>'
    )
    return layout(title, body, viewer)


# ----------------------------------------------------------------- branches
def _preference_label(value: str | None, default: str) -> str:
    return dict(INVOICING_PREFERENCES).get(value or "", default)


def branches_page(
    viewer: Viewer, organisation: Mapping[str, Any], notice: str = ""
) -> str:
    rows = []
    for branch in organisation.get("branches") or []:
        centres = "<br>".join(
            escape(f"{centre['code']} {centre['name']}".strip())
            + (" <strong>(default)</strong>" if centre.get("isDefault") else "")
            for centre in branch.get("costCentres") or []
        )
        rows.append(
            f"<tr><td>{escape(branch['name'])}</td><td>{escape(branch.get('code'))}"
            f"</td><td>{centres or '<span class=muted>none</span>'}</td>"
            f"<td>{escape(branch.get('invoiceEmail') or '')}</td>"
            + "<td>"
            + escape(
                _preference_label(
                    branch.get("invoicingPreference"), "as the organisation"
                )
            )
            + "</td>"
            + f'<td><a href="{escape(branch_path(branch))}">Edit</a></td></tr>'
        )
    table = (
        "<table><tr><th>Branch</th><th>Code</th><th>Cost centres</th>"
        "<th>Invoice e-mail</th><th>Invoicing</th><th></th></tr>"
        + "".join(rows)
        + "</table>"
        if rows
        else "<p>No branches yet.</p>"
    )
    body = '<p><a href="/portal/branches/new">New branch</a></p>' + table
    return layout("Branches", body, viewer, notice)


def branch_path(branch: Mapping[str, Any]) -> str:
    return "/portal/branch?" + urlencode({"id": branch["id"]})


# The parts of Saleor's AddressInput the portal asks for, with their labels.
ADDRESS_PARTS = (
    ("companyName", "Company"),
    ("firstName", "Attention of (first name)"),
    ("lastName", "Attention of (last name)"),
    ("streetAddress1", "Street and number"),
    ("streetAddress2", "Street, second line"),
    ("postalCode", "Postcode"),
    ("city", "City"),
    ("country", "Country (two letters, e.g. NL)"),
)
ADDRESSES = (
    ("invoiceAddress", "Invoice address", "The buyer address on your invoices."),
    ("deliveryAddress", "Delivery address", "Where goods go unless the order says."),
)
ADDRESS_FIELDS = tuple(
    f"{address}.{part}"
    for address, _label, _hint in ADDRESSES
    for part, _ in ADDRESS_PARTS
)
BRANCH_FIELDS = (
    "name",
    "code",
    "costCentres",
    "defaultCostCentre",
    "invoiceEmail",
    "invoicingPreference",
    *ADDRESS_FIELDS,
)


def cost_centres_text(centres: Sequence[Mapping[str, Any]]) -> str:
    """A branch's cost centres as the form's textarea shows them."""
    return "\n".join(
        f"{centre['code']} {centre.get('name') or ''}".strip() for centre in centres
    )


def address_fieldsets(form: FormState) -> str:
    """The invoice and delivery address fieldsets of the branch and organisation
    forms, named as Saleor reports their problems (``invoiceAddress.postalCode``),
    so that each problem shows beside its field. All parts empty: no address."""
    return "".join(
        f"<fieldset><legend>{escape(title)}</legend><p class=hint>{escape(hint)} "
        "Leave all empty for none.</p>"
        + "".join(
            text_field(form, f"{address}.{part}", label)
            for part, label in ADDRESS_PARTS
        )
        + "</fieldset>"
        for address, title, hint in ADDRESSES
    )


def address_values(prefix: str, address: Mapping[str, Any] | None) -> dict[str, str]:
    """A stored address (Saleor's Address type) as the form's values."""
    address = address or {}
    values = {
        f"{prefix}.{part}": str(address.get(part) or "")
        for part, _label in ADDRESS_PARTS
        if part != "country"
    }
    values[f"{prefix}.country"] = str((address.get("country") or {}).get("code") or "")
    return values


# ------------------------------------------------------------------- logos
LOGO_PATH = "/portal/logo"
LOGO_REMOVE_PATH = "/portal/logo/remove"
LOGO_HINT = (
    "Printed on your greeting cards. PNG, JPEG or WebP (no SVG), at most 5 MB and "
    "4000 x 4000 pixels; PNG and WebP keep their transparency."
)


def logo_section(
    viewer: Viewer,
    holder: Mapping[str, Any],
    problems: Sequence[Problem] = (),
    *,
    branch: bool = False,
) -> str:
    """The logo of the organisation (or of a branch, ``branch``), with a form to
    upload a new one and one to remove it. Every problem shows beside the file."""
    form = FormState(
        problems=[
            problem
            if problem.field == "image"
            else Problem(problem.message, problem.code, "image")
            for problem in problems
        ]
    )
    url = holder.get("logoUrl")
    if url:
        current = f'<p><img class="logo" src="{escape(url)}" alt="Current logo"></p>'
    elif branch and holder.get("cardLogoUrl"):
        current = (
            "<p class=muted>No logo of its own: its cards print the organisation's.</p>"
            f'<p><img class="logo" src="{escape(holder["cardLogoUrl"])}" '
            'alt="The organisation\'s logo"></p>'
        )
    else:
        current = "<p class=muted>No logo yet.</p>"
    target = _hidden("branch", str(holder["id"])) if branch else ""
    control = (
        '<input type="file" id="image" name="image" '
        'accept="image/png,image/jpeg,image/webp" required'
        f"{_described(form, 'image')}>"
    )
    upload = post_form(
        viewer,
        LOGO_PATH,
        target
        + _field(form, "image", "New logo", control, LOGO_HINT)
        + "<button>Upload logo</button>",
        "",
        multipart=True,
    )
    remove = (
        post_form(viewer, LOGO_REMOVE_PATH, target + "<button>Remove logo</button>")
        if url
        else ""
    )
    title = "Branch logo" if branch else "Logo"
    return f'<section id="logo"><h2>{title}</h2>{current}{upload}{remove}</section>'


def logo_refused_box(problems: Sequence[Problem]) -> str:
    """Above a long page: the logo's refusal is shown at its field, further down."""
    if not problems:
        return ""
    return (
        '<div class="box problem" role="alert"><p>The logo was not saved: '
        '<a href="#logo">see why below</a>.</p></div>'
    )


def logo_urls(holder: Mapping[str, Any]) -> list[str]:
    """The logo pictures a page of this organisation or branch shows."""
    return [url for url in (holder.get("logoUrl"), holder.get("cardLogoUrl")) if url]


def branch_form_page(
    viewer: Viewer,
    form: FormState,
    branch: Mapping[str, Any] | None = None,
    logo_problems: Sequence[Problem] = (),
) -> str:
    fields = (
        text_field(form, "name", "Name", required=True)
        + text_field(form, "code", "Code", hint="Your own code for the branch.")
        + textarea_field(
            form,
            "costCentres",
            "Cost centres",
            hint="One a line: the code, a space, then its name (KP-4711 Kitchen).",
        )
        + text_field(
            form,
            "defaultCostCentre",
            "Default cost centre",
            hint="The code of one of the cost centres above.",
        )
        + text_field(form, "invoiceEmail", "Invoice e-mail", kind="email")
        + select_field(
            form,
            "invoicingPreference",
            "Invoicing",
            [("", "As the organisation"), *INVOICING_PREFERENCES],
        )
        + address_fieldsets(form)
    )
    if branch is None:
        title, action, button = "New branch", "/portal/branches/new", "Create branch"
    else:
        title, action, button = f"Branch {branch['name']}", "/portal/branch", "Save"
        fields = f'<input type="hidden" name="id" value="{escape(branch["id"])}">' + (
            fields
        )
    body = (
        logo_refused_box(logo_problems)
        + problems_box(form.other_problems(BRANCH_FIELDS))
        + post_form(viewer, action, fields + f"<button>{button}</button>", "")
        + (
            logo_section(viewer, branch, logo_problems, branch=True)
            if branch is not None
            else ""
        )
        + '<p><a href="/portal/branches">Back to the branches</a></p>'
    )
    return layout(title, body, viewer)


# ------------------------------------------------------------- organisation
ORGANISATION_FIELDS = ("invoiceEmail", "invoicingPreference", *ADDRESS_FIELDS)


def organisation_page(
    viewer: Viewer,
    organisation: Mapping[str, Any],
    form: FormState,
    notice: str = "",
    logo_problems: Sequence[Problem] = (),
) -> str:
    fields = (
        text_field(
            form,
            "invoiceEmail",
            "Invoice e-mail",
            kind="email",
            hint="Consolidated invoices, and those of branches without their own.",
        )
        + select_field(form, "invoicingPreference", "Invoicing", INVOICING_PREFERENCES)
        + address_fieldsets(form)
    )
    body = (
        logo_refused_box(logo_problems)
        + problems_box(form.other_problems(ORGANISATION_FIELDS))
        + f"<p><strong>{escape(organisation.get('name'))}</strong></p>"
        + post_form(
            viewer, "/portal/organisation", fields + "<button>Save</button>", ""
        )
        + logo_section(viewer, organisation, logo_problems)
    )
    return layout("Organisation settings", body, viewer, notice)


# ------------------------------------------------------------------ budgets
BUDGET_PERIODS = (
    ("MONTH", "Calendar month"),
    ("QUARTER", "Calendar quarter"),
    ("YEAR", "Calendar year"),
)
BUDGET_KINDS = (
    ("hard", "Hard: a transfer over what is left is refused"),
    ("soft", "Soft: it goes through with a warning"),
)
BUDGET_FIELDS = (
    "name",
    "scope",
    "memberEmail",
    "period",
    "amount",
    "currency",
    "kind",
    "holdDays",
)


def budget_path(budget: Mapping[str, Any]) -> str:
    return "/portal/budget?" + urlencode({"id": budget["id"]})


def budget_scope(budget: Mapping[str, Any], organisation: Mapping[str, Any]) -> str:
    """Whom a budget limits: the organisation, a branch or a member."""
    if budget.get("memberEmail"):
        return f"Member {budget['memberEmail']}"
    if budget.get("branchId"):
        names = {b["id"]: b["name"] for b in organisation.get("branches") or []}
        return f"Branch {names.get(budget['branchId'], '?')}"
    return "The whole organisation"


def _amount(budget: Mapping[str, Any], key: str) -> str:
    return f"{budget.get('currency') or ''} {float(budget.get(key) or 0):,.2f}"


def budgets_page(
    viewer: Viewer,
    organisation: Mapping[str, Any],
    budgets: Sequence[Mapping[str, Any]],
    notice: str = "",
) -> str:
    rows = []
    for budget in budgets:
        left = float(budget.get("left") or 0)
        delete = post_form(
            viewer,
            "/portal/budget/delete",
            f'<input type="hidden" name="id" value="{escape(budget["id"])}">'
            "<button>Delete</button>",
        )
        rows.append(
            f"<tr><td>{escape(budget.get('name') or '')}</td>"
            f"<td>{escape(budget_scope(budget, organisation))}</td>"
            f'<td class="nowrap">{escape(budget.get("periodLabel") or "")}</td>'
            f'<td class="number">{escape(_amount(budget, "amount"))}</td>'
            f'<td class="number">{escape(_amount(budget, "spent"))}</td>'
            f'<td class="number">{escape(_amount(budget, "held"))}</td>'
            + ('<td class="number over">' if left < 0 else '<td class="number">')
            + f"{escape(_amount(budget, 'left'))}</td>"
            f"<td>{'hard' if budget.get('hard') else 'soft'}</td>"
            f'<td class="nowrap"><a href="{escape(budget_path(budget))}">Edit</a> '
            f"{delete}</td></tr>"
        )
    table = (
        "<table><tr><th>Budget</th><th>Limits</th><th>Period</th>"
        '<th class="number">Amount</th><th class="number">Spent</th>'
        '<th class="number">Held</th><th class="number">Left</th><th>Kind</th><th></th>'
        "</tr>" + "".join(rows) + "</table>"
        if rows
        else "<p>No budgets: orderers may spend without a limit.</p>"
    )
    body = (
        '<p><a href="/portal/budgets/new">New budget</a></p>'
        + table
        + '<p class="hint">Spent: orders placed from your purchase orders (net), '
        "less credit notes. Held: carts sent to your procurement system whose "
        "purchase order has not arrived yet; a hold ends when it arrives, or "
        "after the hold time.</p>"
    )
    return layout("Budgets", body, viewer, notice)


def budget_form_page(
    viewer: Viewer,
    organisation: Mapping[str, Any],
    form: FormState,
    budget: Mapping[str, Any] | None = None,
) -> str:
    """A new budget's form (``budget`` None) or an existing one's."""
    if budget is None:
        scope = select_field(
            form,
            "scope",
            "Limits",
            [("", "The whole organisation")],
            groups=[
                (
                    "A branch",
                    [
                        (branch["id"], branch["name"])
                        for branch in organisation.get("branches") or []
                    ],
                )
            ],
        ) + text_field(
            form,
            "memberEmail",
            "Or one member (e-mail)",
            kind="email",
            hint="Filled in: the budget limits what this member orders.",
        )
    else:
        scope = (
            f"<p><strong>Limits:</strong> "
            f"{escape(budget_scope(budget, organisation))}</p>"
        )
    fields = (
        text_field(form, "name", "Name", hint="Shown to orderers, e.g. Gifts.")
        + scope
        + select_field(form, "period", "Period", BUDGET_PERIODS)
        + text_field(
            form, "amount", "Amount per period (net)", required=True, hint="E.g. 1000"
        )
        + text_field(form, "currency", "Currency", required=True, hint="E.g. EUR")
        + select_field(form, "kind", "Kind", BUDGET_KINDS)
        + text_field(
            form,
            "holdDays",
            "Hold time (days)",
            hint="For all your budgets: how long a sent cart counts while its "
            "purchase order has not arrived. Empty: unchanged.",
        )
    )
    if budget is None:
        title, action, button = "New budget", "/portal/budgets/new", "Create budget"
    else:
        title = f"Budget {budget.get('name') or budget_scope(budget, organisation)}"
        action, button = "/portal/budget", "Save"
        fields = f'<input type="hidden" name="id" value="{escape(budget["id"])}">' + (
            fields
        )
    body = (
        problems_box(form.other_problems(BUDGET_FIELDS))
        + post_form(viewer, action, fields + f"<button>{button}</button>", "")
        + '<p><a href="/portal/budgets">Back to the budgets</a></p>'
    )
    return layout(title, body, viewer)


# ---------------------------------------------------------- orders, invoices
def _money(value: Mapping[str, Any] | None) -> str:
    gross = (value or {}).get("gross") or {}
    if gross.get("amount") is None:
        return ""
    return f"{gross.get('currency') or ''} {float(gross['amount']):.2f}".strip()


def orders_page(viewer: Viewer, connection: Mapping[str, Any], after: str) -> str:
    rows = []
    for edge in connection.get("edges") or []:
        order = edge["node"]
        lines = "<br>".join(
            escape(f"{line['quantity']} \u00d7 {line['productName']}")
            + (f" ({escape(line['sku'])})" if line.get("sku") else "")
            for line in order.get("lines") or []
        )
        orderer = order.get("ordererName") or order.get("ordererEmail") or ""
        rows.append(
            f"<tr><td>{escape(order['number'])}</td><td>{escape(order['poNumber'])}"
            f"</td><td>{escape(str(order.get('createdAt') or '')[:10])}</td>"
            f"<td>{escape(orderer)}</td>"
            f"<td>{escape((order.get('branch') or {}).get('name') or '')}</td>"
            f"<td>{escape(order.get('costCentre') or '')}</td><td>{lines}</td>"
            f'<td class="number">{escape(_money(order.get("total")))}</td>'
            f"<td>{escape(order.get('status'))}</td></tr>"
        )
    table = (
        "<table><tr><th>Order</th><th>PO number</th><th>Date</th><th>Orderer</th>"
        "<th>Branch</th><th>Cost centre</th><th>Lines</th><th>Total</th>"
        "<th>Status</th></tr>" + "".join(rows) + "</table>"
        if rows
        else "<p>No orders yet.</p>"
    )
    page_info = connection.get("pageInfo") or {}
    paging = []
    if after:
        paging.append('<a href="/portal/orders">First page</a>')
    if page_info.get("hasNextPage") and page_info.get("endCursor"):
        paging.append(
            '<a href="/portal/orders?'
            + escape(urlencode({"after": page_info["endCursor"]}))
            + '">Next page</a>'
        )
    return layout("Orders", table + " · ".join(paging), viewer)


def invoice_path(invoice: Mapping[str, Any], kind: str) -> str:
    return f"/portal/invoice.{kind}?" + urlencode({"id": invoice["id"]})


def invoices_page(viewer: Viewer, invoices: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for invoice in invoices:
        period = (
            f"{invoice['periodStart']} to {invoice['periodEnd']}"
            if invoice.get("periodStart")
            else ""
        )
        kind = "Credit note" if invoice.get("kind") == "credit_note" else "Invoice"
        rows.append(
            f"<tr><td>{escape(invoice['number'])}</td><td>{kind}</td>"
            f"<td>{escape(invoice.get('issueDate'))}</td><td>{escape(period)}</td>"
            f'<td class="number">{escape(invoice.get("currency"))} '
            f"{escape(invoice.get('payableAmount'))}</td>"
            f"<td>{escape(invoice.get('sentTo') or 'not sent yet')}</td>"
            f'<td><a href="{escape(invoice_path(invoice, "xml"))}">UBL XML</a> · '
            f'<a href="{escape(invoice_path(invoice, "pdf"))}">PDF</a> · '
            f'<a href="{escape(invoice_path(invoice, "html"))}">HTML</a></td></tr>'
        )
    table = (
        "<table><tr><th>Number</th><th>Kind</th><th>Date</th><th>Period</th>"
        "<th>Amount</th><th>Sent to</th><th>Download</th></tr>"
        + "".join(rows)
        + "</table>"
        if rows
        else "<p>No invoices yet.</p>"
    )
    return layout("Invoices", table, viewer)
