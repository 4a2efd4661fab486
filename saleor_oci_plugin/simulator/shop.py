"""Talking to the shop over HTTP, as an ERP does: GraphQL and cXML.

Every call has a timeout. :meth:`ShopClient.post` and :meth:`ShopClient.graphql`
raise :class:`ShopError` with a message for people when there is no usable answer
(no connection, a timeout, a redirect, a body that is not GraphQL); the
purchase-order senders turn that and every refusal into a :class:`ShopAnswer`, so a
page never sees an exception. No proxy from the environment is used and redirects
are not followed (a POST that is redirected loses its body): the simulator talks
straight to the shop it was given.
"""

import json
import re
from typing import Any

from saleor_oci_plugin.webapp.graphql import GraphQLResult
from saleor_oci_plugin.webapp.http_client import (
    HTTPAnswer,
    NoAnswerError,
    NoRedirectClient,
    RedirectNotFollowed,
    excerpt,
)

from .cxml import CXMLResponseError, build_order_request, read_response
from .requisitions import Outcome, PurchaseOrder, ShopAnswer, plain_number
from .settings import Settings

MAX_ANSWER_BYTES = 5 * 1024 * 1024
# How much of an unexpected answer a message quotes.
EXCERPT_LIMIT = 600
USER_AGENT = "oci-simulator (saleor-oci-plugin)"
CXML_OK = 200

PURCHASE_ORDER_MUTATION = """
mutation OciPurchaseOrderCreate($input: OciPurchaseOrderInput!) {
  ociPurchaseOrderCreate(input: $input) {
    duplicate
    order { id number }
    errors { field code message line }
  }
}
""".strip()

_ORDER_IN_MESSAGE = re.compile(r"\border (\S+?)\.?\s*$")
_SHARED_SECRET = re.compile(rb"(<SharedSecret>)(.*?)(</SharedSecret>)", re.DOTALL)


class ShopError(Exception):
    """No usable answer from the shop; the message says what happened."""


class ShopClient:
    """The shop's URLs from :class:`Settings`, called with ``urllib``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._http = NoRedirectClient(settings.timeout, MAX_ANSWER_BYTES)

    # ------------------------------------------------------------------ HTTP
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> HTTPAnswer:
        """POST and return the answer, also for HTTP 4xx/5xx; ShopError otherwise."""
        try:
            return self._http.post(url, body, {"User-Agent": USER_AGENT, **headers})
        except RedirectNotFollowed as redirect:
            raise ShopError(
                f"{url} answered HTTP {redirect.status}, a redirect to "
                f"{redirect.location or 'elsewhere'}; start the simulator with "
                "--shop-url set to the shop's own address."
            ) from redirect
        except NoAnswerError as error:
            raise ShopError(str(error)) from error

    # --------------------------------------------------------------- GraphQL
    def graphql(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> GraphQLResult:
        """Run a GraphQL operation with the App token; ShopError without a result."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.settings.app_token:
            headers["Authorization"] = f"Bearer {self.settings.app_token}"
        url = self.settings.graphql_url
        payload = json.dumps({"query": query, "variables": variables or {}})
        answer = self.post(url, payload.encode(), headers)
        result = GraphQLResult.from_body(answer.body)
        if result is None:
            raise ShopError(
                f"{url} answered HTTP {answer.status} without a GraphQL result: "
                f"{excerpt(answer.text, EXCERPT_LIMIT)}"
            )
        return result

    # ------------------------------------------------------- purchase orders
    def send_by_graphql(self, order: PurchaseOrder) -> ShopAnswer:
        """``ociPurchaseOrderCreate`` with the App token and the connection id."""
        channel = "GraphQL"
        if not self.settings.graphql_configured:
            return ShopAnswer(
                channel,
                Outcome.FAILED,
                (
                    "Not sent: GraphQL needs --app-token (an App with "
                    "MANAGE_ORDERS) and --connection-id (the OciConnection id).",
                ),
            )
        variables = {"input": graphql_input(order, self.settings.connection_id)}
        sent = json.dumps(variables, indent=2, ensure_ascii=False)
        try:
            result = self.graphql(PURCHASE_ORDER_MUTATION, variables)
        except ShopError as error:
            return ShopAnswer(channel, Outcome.FAILED, (str(error),), sent=sent)
        if result.errors:
            return ShopAnswer(
                channel, Outcome.REFUSED, result.error_messages, sent=sent
            )
        payload = (result.data or {}).get("ociPurchaseOrderCreate")
        if not isinstance(payload, dict):
            return ShopAnswer(
                channel,
                Outcome.FAILED,
                ("The answer has no ociPurchaseOrderCreate result.",),
                sent=sent,
            )
        errors = payload.get("errors") or []
        if errors:
            return ShopAnswer(
                channel,
                Outcome.REFUSED,
                tuple(_graphql_error_text(error) for error in errors),
                sent=sent,
            )
        order_data = payload.get("order") or {}
        number = str(order_data.get("number") or "")
        duplicate = bool(payload.get("duplicate"))
        return ShopAnswer(
            channel,
            Outcome.DUPLICATE if duplicate else Outcome.PLACED,
            (
                f"Purchase order {order.order_number} is already order {number}."
                if duplicate
                else f"Placed as order {number}.",
            ),
            order_number=number,
            sent=sent,
        )

    def send_by_cxml(self, order: PurchaseOrder) -> ShopAnswer:
        """A cXML OrderRequest to the shop's ``.../orders/cxml`` endpoint."""
        channel = "cXML"
        if not self.settings.cxml_configured:
            return ShopAnswer(
                channel,
                Outcome.FAILED,
                (
                    "Not sent: cXML needs --cxml-identity and --cxml-secret (the "
                    "connection's cXML sender identity and shared secret).",
                ),
            )
        document = build_order_request(
            order,
            identity=self.settings.cxml_identity,
            shared_secret=self.settings.cxml_secret,
        )
        sent = mask_shared_secret(document).decode("utf-8")
        try:
            answer = self.post(
                self.settings.cxml_orders_url,
                document,
                {"Content-Type": "text/xml; charset=utf-8"},
            )
        except ShopError as error:
            return ShopAnswer(channel, Outcome.FAILED, (str(error),), sent=sent)
        try:
            status = read_response(answer.body)
        except CXMLResponseError as error:
            outcome = Outcome.REFUSED if 400 <= answer.status < 500 else Outcome.FAILED
            return ShopAnswer(
                channel,
                outcome,
                (
                    f"HTTP {answer.status}: {excerpt(answer.text, EXCERPT_LIMIT)}",
                    f"({error})",
                ),
                sent=sent,
            )
        message = status.message or status.text
        if status.code != CXML_OK:
            return ShopAnswer(
                channel,
                Outcome.REFUSED,
                (f"cXML status {status.code} {status.text}: {message}",),
                sent=sent,
            )
        match = _ORDER_IN_MESSAGE.search(message)
        return ShopAnswer(
            channel,
            Outcome.DUPLICATE
            if message.lower().startswith("duplicate")
            else Outcome.PLACED,
            (message,),
            order_number=match.group(1) if match else "",
            sent=sent,
        )


def graphql_input(order: PurchaseOrder, connection_id: str) -> dict[str, Any]:
    """``OciPurchaseOrderInput`` for ``order``; decimals as text, to stay exact."""
    data: dict[str, Any] = {
        "connection": connection_id,
        "orderNumber": order.order_number,
        "orderDate": order.order_date.isoformat(),
        "lines": [
            {
                key: value
                for key, value in (
                    ("lineNumber", line.line_number),
                    ("sku", line.sku),
                    ("quantity", plain_number(line.quantity)),
                    ("unit", line.unit),
                    (
                        "unitPrice",
                        None
                        if line.unit_price is None
                        else plain_number(line.unit_price),
                    ),
                    ("nziCode", line.nzi_code),
                    ("costCentre", line.cost_centre),
                    ("description", line.description),
                )
                if value
            }
            for line in order.lines
        ],
    }
    for key, value in (
        ("transferId", order.transfer_id),
        ("currency", order.currency),
        ("costCentre", order.cost_centre),
    ):
        if value:
            data[key] = value
    return data


def mask_shared_secret(document: bytes) -> bytes:
    """The document as it may be shown: the shared secret replaced by stars."""
    return _SHARED_SECRET.sub(rb"\1********\3", document)


def _graphql_error_text(error: object) -> str:
    if not isinstance(error, dict):
        return str(error)
    where = str(error.get("field") or "")
    if error.get("line"):
        where += f" (line {error['line']})"
    code = f"[{error['code']}] " if error.get("code") else ""
    return (
        f"{where}: {code}{error.get('message', '')}"
        if where
        else (f"{code}{error.get('message', '')}")
    )
