"""The load bench (``bench/load``): Saleor under uvicorn with 2 workers, driven over
HTTP by N concurrent simulated buyers, next to N ordinary Saleor checkouts.

Run through ``bench/load``, which finds the Saleor environment. This script:

1. sets up its own data in its own database (``saleor_oci_load`` on the server of
   ``DATABASE_URL``, or ``LOAD_DATABASE_URL``): the demo shop and buyer
   (``saleor_oci_plugin.demo.shop``), a second connection of the same buyer whose
   password hash costs nothing (PBKDF2 with 1 iteration: the same code path with
   the hashing left out), 32 orderers, stock, and ``allow_unpaid_orders`` on the
   demo channel for the ordinary checkouts;
2. starts uvicorn (``saleor.asgi:application``, 2 workers, Saleor's production
   settings with DEBUG off) on a free port of 127.0.0.1 and, when Redis answers
   on 127.0.0.1:6379, a Celery worker, as Saleor runs in production: tasks queued
   by a request (order events, the invoice e-mail) run there, not in the request;
3. for N = 1, 8, 32 runs three flows one after the other, each bounded in rounds
   and time: ordinary checkouts (create, 5 lines, delivery method,
   ``checkoutComplete``), the punch-out round trip with the connection's real
   password hash, and the same round trip with the hashing left out (punch-in,
   ``ociSessionTokenCreate``, 5 lines, ``ociCheckoutTransfer``, cXML
   ``OrderRequest``, the order as the ERP reads it, ``invoiceRequest``);
4. sends 20 identical cXML purchase orders at once on fresh connections (spread
   over both workers) and checks that one order results and 19 answers say
   duplicate;
5. prints the table, the exactly-once result and the goals at N = 8, and exits 1
   when any request failed or any purchase order was placed twice.

The servers run in sessions of their own and are stopped at the end, on Ctrl-C and
on failure.
"""

import argparse
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WORKERS = 2
LEVELS = (1, 8, 32)
# Round trips per buyer at each N, and at most this many seconds per flow (no buyer
# starts a round after it): the whole bench stays within a few minutes.
ROUNDS = {1: 4, 8: 3, 32: 1}
TIME_LIMIT_SECONDS = 40.0
REQUEST_TIMEOUT_SECONDS = 120.0
# Two workers importing Saleor on a busy 2-core machine took 100 s once.
SERVER_START_SECONDS = 300.0
EXACTLY_ONCE_COPIES = 20
LOAD_DATABASE = "saleor_oci_load"
REDIS = ("127.0.0.1", 6379)
# Redis database numbers of this bench (cache, Celery broker): apart from the
# default 0 that other local programs use.
CACHE_REDIS_DB = 11
BROKER_REDIS_DB = 12
# The five products every cart holds (one piece each), of the demo's eight.
CART_SKUS = ("GB-ZORG-01", "GB-WELL-02", "BL-TULP-01", "BL-ROOS-02", "KP-KLAS-01")
NOHASH_LOGIN = "load-buyer-nohash"
NOHASH_CXML_IDENTITY = "load-ziekenhuis-oost-nohash"
APP_TOKEN_NAME = "oci-load run"
STOCK_PER_VARIANT = 1_000_000
SHOPPER_ADDRESS = {
    "firstName": "Petra",
    "lastName": "Jansen",
    "companyName": "Bloemenhuis Jansen",
    "streetAddress1": "Oudegracht 12",
    "postalCode": "3511 AX",
    "city": "Utrecht",
    "country": "NL",
}

TOKEN_CREATE = """
mutation ($code: String!) {
  ociSessionTokenCreate(code: $code) { token checkout { id } errors { code message } }
}
"""
LINES_ADD = """
mutation ($id: ID!, $lines: [CheckoutLineInput!]!) {
  checkoutLinesAdd(id: $id, lines: $lines) {
    checkout { id } errors { field code message }
  }
}
"""
CHECKOUT_CREATE = """
mutation ($input: CheckoutCreateInput!) {
  checkoutCreate(input: $input) { checkout { id } errors { field code message } }
}
"""
DELIVERY_METHOD = """
mutation ($id: ID!, $method: ID!) {
  checkoutDeliveryMethodUpdate(id: $id, deliveryMethodId: $method) {
    checkout { id } errors { field code message }
  }
}
"""
CHECKOUT_COMPLETE = """
mutation ($id: ID!) {
  checkoutComplete(id: $id) { order { id number } errors { field code message } }
}
"""
ORDER_ID = """
query ($reference: String!) { order(externalReference: $reference) { id number } }
"""

PUNCHOUT_STEPS = (
    "punch-in",
    "session token",
    "5 lines",
    "transfer",
    "PO (cXML)",
    "order lookup",
    "invoiceRequest",
)
CHECKOUT_STEPS = ("checkoutCreate", "5 lines", "delivery method", "checkoutComplete")
FLOW_ROUND_TRIP = "punch-out"
FLOW_ROUND_TRIP_NOHASH = "punch-out, no hash"
FLOW_CHECKOUT = "checkout"


_STARTED = time.monotonic()


def say(message: str) -> None:
    """A progress line, with the seconds since the bench started."""
    print(f"== [{time.monotonic() - _STARTED:3.0f} s] {message}", flush=True)


class StepFailed(Exception):
    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step


# --------------------------------------------------------------------- settings


def database_url() -> str:
    """The bench's own database: LOAD_DATABASE_URL, else saleor_oci_load on the
    server DATABASE_URL names (never the database DATABASE_URL itself names)."""
    if os.environ.get("LOAD_DATABASE_URL"):
        return os.environ["LOAD_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/x"
    return urlunsplit(urlsplit(base)._replace(path=f"/{LOAD_DATABASE}"))


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def rsa_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def server_environment(use_redis: bool) -> dict[str, str]:
    """What the servers and this process read: Saleor's own settings with DEBUG
    off (no query log), one RSA key for all processes."""
    redis = f"redis://{REDIS[0]}:{REDIS[1]}"
    environment = {
        "DJANGO_SETTINGS_MODULE": "saleor.settings",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "saleor-oci-load-not-a-secret",
        "DEBUG": "False",
        "RSA_PRIVATE_KEY": rsa_key(),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "ALLOWED_CLIENT_HOSTS": f"{HOST},localhost",
        # The invoice e-mails are built and handed to Django's dummy backend.
        "EMAIL_URL": "dummy://",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])
        ),
    }
    if use_redis:
        environment["CACHE_URL"] = f"{redis}/{CACHE_REDIS_DB}"
        environment["CELERY_BROKER_URL"] = f"{redis}/{BROKER_REDIS_DB}"
    return environment


# ------------------------------------------------------------------------ data


@dataclass
class LoadData:
    channel_slug: str
    variant_ids: list[str]
    shipping_method_id: str
    # (login, password, cXML identity, cXML secret, connection pk, nzi field,
    # cost centre field) of the connection with the real hash and of the other.
    connections: dict[str, dict[str, Any]]
    hook_url: str
    orderers: list[dict[str, str]]
    app_token: str
    hash_seconds: list[float]
    hash_algorithm: str


def set_up_data() -> LoadData:
    """The demo shop and what the load needs besides, made idempotently."""
    import graphene
    from django.contrib.auth.hashers import (
        PBKDF2PasswordHasher,
        check_password,
        identify_hasher,
    )
    from django.db import transaction
    from saleor.app.models import AppToken
    from saleor.product.models import ProductVariant
    from saleor.shipping.models import ShippingMethod
    from saleor.warehouse.models import Stock

    from saleor_oci_plugin.demo import shop as demo
    from saleor_oci_plugin.punchout import connections as service
    from saleor_oci_plugin.punchout import identity
    from saleor_oci_plugin.punchout.models import Connection
    from saleor_oci_plugin.simulator.settings import HOOK_PATH

    shop = demo.ensure_demo_shop(
        password=demo.DEFAULT_PASSWORD, cxml_secret=demo.DEFAULT_CXML_SECRET
    )
    with transaction.atomic():
        channel = shop.channel
        if not channel.allow_unpaid_orders:
            channel.allow_unpaid_orders = True
            channel.save(update_fields=["allow_unpaid_orders"])
        variants = {
            variant.sku: variant
            for variant in ProductVariant.objects.filter(sku__in=CART_SKUS)
        }
        for stock in Stock.objects.filter(product_variant__sku__in=CART_SKUS):
            stock.quantity = stock.quantity_allocated + STOCK_PER_VARIANT
            stock.save(update_fields=["quantity"])
        real = shop.connection
        nohash = Connection.objects.filter(login_name=NOHASH_LOGIN).first()
        if nohash is None:
            nohash = service.create_connection(
                shop.organisation.pk,
                demo.DEFAULT_PASSWORD,
                {
                    "name": "Ziekenhuis Oost SRM (load bench, no password hash)",
                    "login_name": NOHASH_LOGIN,
                    "branch_id": real.branch_id,
                    "channel_id": real.channel_id,
                    "customer_id": real.customer_id,
                    "hook_url_allowlist": list(real.hook_url_allowlist),
                    "allow_http_hook_url": real.allow_http_hook_url,
                    "storefront_url": real.storefront_url,
                    "cxml_identity": NOHASH_CXML_IDENTITY,
                    **demo.CXML_PUNCHOUT,
                },
                cxml_shared_secret=demo.DEFAULT_CXML_SECRET,
            )
        else:
            # Set again each run, as the demo's own: its stored form is keyed with
            # SECRET_KEY, which may differ from the run that created it.
            nohash = service.update_connection(
                nohash, {}, cxml_shared_secret=demo.DEFAULT_CXML_SECRET
            )
        # A real PBKDF2 hash with 1 iteration: check_password takes the same path
        # and costs microseconds instead of the hasher's deliberate ~0.25 s.
        cheap = PBKDF2PasswordHasher()
        cheap.iterations = 1
        nohash.password = cheap.encode(demo.DEFAULT_PASSWORD, cheap.salt())
        nohash.failed_logins = 0
        nohash.locked_until = None
        nohash.save(update_fields=["password", "failed_logins", "locked_until"])
        Connection.objects.filter(pk=real.pk).update(failed_logins=0, locked_until=None)
        orderers = []
        for index in range(1, max(LEVELS) + 1):
            person = {
                "USER_ID": f"LOAD{index:02d}",
                "USER_EMAIL": f"load.orderer{index:02d}@ziekenhuis-oost.example",
                "FIRST_NAME": "Orderer",
                "LAST_NAME": f"{index:02d}",
            }
            identity.find_orderer(
                real,
                identity.Identity(
                    user_id=person["USER_ID"],
                    email=person["USER_EMAIL"],
                    first_name=person["FIRST_NAME"],
                    last_name=person["LAST_NAME"],
                ),
            )
            orderers.append(person)
        shop.app.tokens.filter(name=APP_TOKEN_NAME).delete()
        _, app_token = AppToken.objects.create(app=shop.app, name=APP_TOKEN_NAME)
        method = ShippingMethod.objects.get(
            shipping_zone__name="Nederland (oci-demo)", name="PostNL pakket"
        )
    hash_seconds = []
    for _ in range(5):
        started = time.perf_counter()
        check_password(demo.DEFAULT_PASSWORD, real.password)
        hash_seconds.append(time.perf_counter() - started)
    hasher = identify_hasher(real.password)
    iterations = real.password.split("$")[1]
    return LoadData(
        channel_slug=channel.slug,
        variant_ids=[
            graphene.Node.to_global_id("ProductVariant", variants[sku].pk)
            for sku in CART_SKUS
        ],
        shipping_method_id=graphene.Node.to_global_id("ShippingMethod", method.pk),
        connections={
            FLOW_ROUND_TRIP: _connection_data(real, demo.CXML_IDENTITY),
            FLOW_ROUND_TRIP_NOHASH: _connection_data(nohash, NOHASH_CXML_IDENTITY),
        },
        hook_url=real.hook_url_allowlist[0].rstrip("/") + HOOK_PATH,
        orderers=orderers,
        app_token=app_token,
        hash_seconds=hash_seconds,
        hash_algorithm=f"{hasher.algorithm}, {iterations} iterations",
    )


def _connection_data(connection: Any, cxml_identity: str) -> dict[str, Any]:
    from saleor_oci_plugin.demo import shop as demo

    return {
        "pk": connection.pk,
        "login": connection.login_name,
        "password": demo.DEFAULT_PASSWORD,
        "cxml_identity": cxml_identity,
        "cxml_secret": demo.DEFAULT_CXML_SECRET,
        "nzi_field": connection.nzi_field,
        "cost_centre_field": connection.cost_centre_field,
    }


def drop_app_token() -> None:
    from saleor.app.models import AppToken

    AppToken.objects.filter(name=APP_TOKEN_NAME).delete()


# --------------------------------------------------------------------- servers


class Servers:
    """uvicorn (and a Celery worker), each in a session of its own."""

    def __init__(self, run_dir: Path, environment: dict[str, str], celery: bool):
        self.run_dir = run_dir
        self.environment = {**os.environ, **environment}
        self.celery = celery
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.access_log = run_dir / "access.log"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        python = sys.executable
        if self.celery:
            self._start(
                "celery",
                [
                    python, "-m", "celery", "-A", "saleor.celeryconf:app", "worker",
                    "--concurrency", "1", "--loglevel", "WARNING",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                ],
            )  # fmt: skip
        log_config = self.run_dir / "uvicorn-log.json"
        # The access log names the worker process of every request: the
        # exactly-once check shows that its copies reached both workers.
        log_config.write_text(
            json.dumps(
                {
                    "version": 1,
                    "disable_existing_loggers": False,
                    "formatters": {"pid": {"format": "%(process)d %(message)s"}},
                    "handlers": {
                        "access": {
                            "class": "logging.FileHandler",
                            "filename": str(self.access_log),
                            "formatter": "pid",
                        }
                    },
                    "loggers": {
                        "uvicorn.access": {
                            "handlers": ["access"],
                            "level": "INFO",
                            "propagate": False,
                        }
                    },
                }
            )
        )
        self._start(
            "uvicorn",
            [
                python, "-m", "uvicorn", "saleor.asgi:application",
                "--host", HOST, "--port", str(self.port),
                "--workers", str(WORKERS), "--log-config", str(log_config),
            ],
        )  # fmt: skip

    def _start(self, name: str, command: list[str]) -> None:
        log = open(self.run_dir / f"{name}.log", "wb")  # noqa: SIM115
        self.processes[name] = subprocess.Popen(
            command,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=ROOT,
        )
        log.close()

    def wait_until_answering(self) -> None:
        import requests

        started = time.monotonic()
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{name} stopped while starting:\n{self.log_tail(name)}"
                    )
            try:
                requests.get(f"{self.base_url}/graphql/", timeout=5)
                return
            except requests.RequestException:
                pass
            if time.monotonic() - started > SERVER_START_SECONDS:
                raise RuntimeError(
                    f"uvicorn did not answer within {SERVER_START_SECONDS:.0f} s:\n"
                    + self.log_tail("uvicorn")
                )
            time.sleep(0.5)

    def log_tail(self, name: str, lines: int = 30) -> str:
        try:
            text = (self.run_dir / f"{name}.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        for process in self.processes.values():
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            with suppress(subprocess.TimeoutExpired):
                process.wait(max(0.1, deadline - time.monotonic()))
        for process in self.processes.values():
            # Whatever is left in the session (uvicorn's workers too).
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with suppress(subprocess.TimeoutExpired):
                process.wait(5)
        self.processes.clear()


# ---------------------------------------------------------------------- buyers


@dataclass
class Sample:
    step: str
    seconds: float
    ok: bool
    error: str = ""


@dataclass
class FlowResult:
    flow: str
    level: int
    wall_seconds: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    rounds: list[float] = field(default_factory=list)  # completed rounds' seconds
    failed_rounds: int = 0
    po_numbers: list[str] = field(default_factory=list)


class Client:
    """One simulated person: a keep-alive HTTP session, each request timed."""

    def __init__(self, base_url: str, samples: list[Sample], lock: threading.Lock):
        import requests

        self.http = requests.Session()
        self.http.trust_env = False  # straight to 127.0.0.1, no proxy
        self.base_url = base_url
        self.samples = samples
        self.lock = lock

    def timed(self, step: str, call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        try:
            result = call()
        except StepFailed as failure:
            self._record(
                Sample(step, time.perf_counter() - started, False, str(failure))
            )
            raise
        except Exception as error:  # no answer, timeout: a failed request
            self._record(
                Sample(step, time.perf_counter() - started, False, f"{step}: {error}")
            )
            raise StepFailed(step, str(error)) from error
        self._record(Sample(step, time.perf_counter() - started, True))
        return result

    def _record(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def graphql(
        self,
        step: str,
        query: str,
        variables: dict[str, Any],
        token: str = "",
        check: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """The answer's data; StepFailed on any error, or when ``check`` raises it
        (counted as the step's failure)."""

        def call() -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = self.http.post(
                f"{self.base_url}/graphql/",
                json={"query": query, "variables": variables},
                headers=headers,
                timeout=REQUEST_TIMEOUT_SECONDS,
            )
            if response.status_code != 200:
                raise StepFailed(
                    step, f"HTTP {response.status_code}: {_excerpt(response.text)}"
                )
            content = response.json()
            if content.get("errors"):
                raise StepFailed(step, _excerpt(json.dumps(content["errors"])))
            data = content["data"]
            for value in data.values():
                if isinstance(value, dict) and value.get("errors"):
                    raise StepFailed(step, _excerpt(json.dumps(value["errors"])))
            if check is not None:
                check(data)
            return data

        return self.timed(step, call)


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


class PoNumbers:
    """ERP order numbers no earlier run used (the database is kept between runs)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0
        self.prefix = f"LOAD-{int(time.time())}-"

    def new(self) -> str:
        with self._lock:
            self._next += 1
            return f"{self.prefix}{self._next:04d}"


def shop_and_transfer(client: Client, data: LoadData, code: str) -> dict[str, Any]:
    """The punched-in buyer's steps up to the transfer: session token, 5 lines,
    ``ociCheckoutTransfer``; the sent transfer."""
    from saleor_oci_plugin.demo.round_trip import TRANSFER

    answer = client.graphql("session token", TOKEN_CREATE, {"code": code})
    token = answer["ociSessionTokenCreate"]["token"]
    checkout_id = answer["ociSessionTokenCreate"]["checkout"]["id"]
    client.graphql(
        "5 lines",
        LINES_ADD,
        {
            "id": checkout_id,
            "lines": [{"variantId": id_, "quantity": 1} for id_ in data.variant_ids],
        },
        token,
    )
    sent = client.graphql("transfer", TRANSFER, {"id": checkout_id}, token)[
        "ociCheckoutTransfer"
    ]["transfer"]
    return sent


def punch_out_round(
    client: Client,
    data: LoadData,
    connection: dict[str, Any],
    orderer: dict[str, str],
    po_number: str,
) -> None:
    """punch-in -> 5 lines -> transfer -> cXML PO -> invoiceRequest."""
    from saleor_oci_plugin.simulator.settings import CXML_ORDERS_PATH, PUNCHIN_PATH

    def punch_in() -> str:
        response = client.http.post(
            f"{client.base_url}{PUNCHIN_PATH}",
            data={
                "USERNAME": connection["login"],
                "PASSWORD": connection["password"],
                "HOOK_URL": data.hook_url,
                "~OKCODE": "ADDI",
                "~TARGET": "_top",
                "~CALLER": "CTLG",
                "OCI_VERSION": "4.0",
                **orderer,
            },
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        if response.status_code != 303:
            raise StepFailed(
                "punch-in", f"HTTP {response.status_code}: {_excerpt(response.text)}"
            )
        codes = parse_qs(urlsplit(response.headers["Location"]).query).get("oci_code")
        if not codes:
            raise StepFailed("punch-in", "no oci_code in the redirect")
        return codes[0]

    code = client.timed("punch-in", punch_in)
    sent = shop_and_transfer(client, data, code)
    document = order_request(sent["html"], connection, po_number)

    def send_po() -> None:
        response = client.http.post(
            f"{client.base_url}{CXML_ORDERS_PATH}",
            data=document,
            headers={"Content-Type": "text/xml; charset=utf-8"},
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        outcome = po_outcome(response.status_code, response.content)
        if outcome != "placed":
            raise StepFailed("PO (cXML)", outcome)

    client.timed("PO (cXML)", send_po)
    reference = f"oci:{connection['pk']}:{po_number}"
    order = client.graphql(
        "order lookup", ORDER_ID, {"reference": reference}, data.app_token
    )["order"]
    if order is None:
        raise StepFailed("order lookup", f"no order {reference}")
    from saleor_oci_plugin.demo.round_trip import INVOICE_REQUEST

    def issued(answer: dict[str, Any]) -> None:
        invoice = answer["invoiceRequest"]["invoice"]
        if invoice is None or invoice["status"] != "SUCCESS":
            raise StepFailed(
                "invoiceRequest",
                f"invoice {invoice['status']}: {invoice['message']}"
                if invoice
                else "no invoice",
            )

    client.graphql(
        "invoiceRequest",
        INVOICE_REQUEST,
        {"orderId": order["id"]},
        data.app_token,
        check=issued,
    )


def order_request(form_html: str, connection: dict[str, Any], po_number: str) -> bytes:
    """The approved cart as the ERP sends it: the OCI form read and decoded as its
    HOOK_URL receives it, as a cXML OrderRequest."""
    from lxml import html as lxml_html

    from saleor_oci_plugin import oci
    from saleor_oci_plugin.demo.round_trip import approved_purchase_order
    from saleor_oci_plugin.simulator.cxml import build_order_request

    form = lxml_html.fromstring(form_html).forms[0]
    cart = oci.decode_cart(
        (element.name, element.value or "") for element in form.inputs if element.name
    )
    order = approved_purchase_order(
        cart,
        po_number=po_number,
        nzi_field=connection["nzi_field"],
        cost_centre_field=connection["cost_centre_field"],
    )
    return build_order_request(
        order,
        identity=connection["cxml_identity"],
        shared_secret=connection["cxml_secret"],
    )


def po_outcome(status_code: int, body: bytes) -> str:
    """'placed', 'duplicate', or what went wrong."""
    from saleor_oci_plugin.simulator.cxml import CXMLResponseError, read_response

    try:
        status = read_response(body)
    except CXMLResponseError as error:
        return f"HTTP {status_code}, no cXML Response ({error})"
    text = f"{status.message or status.text}".strip()
    if status.code != 200:
        return f"cXML {status.code} {text}"
    if text.startswith("Duplicate:"):
        return "duplicate"
    if text.startswith("Placed as order"):
        return "placed"
    return f"cXML 200 but {text!r}"


def checkout_round(client: Client, data: LoadData, email: str) -> None:
    """Saleor's own checkout: create, 5 lines, delivery method, checkoutComplete
    (unpaid: the channel allows unpaid orders)."""
    checkout_id = client.graphql(
        "checkoutCreate",
        CHECKOUT_CREATE,
        {
            "input": {
                "channel": data.channel_slug,
                "email": email,
                "lines": [],
                "shippingAddress": SHOPPER_ADDRESS,
                "billingAddress": SHOPPER_ADDRESS,
            }
        },
    )["checkoutCreate"]["checkout"]["id"]
    client.graphql(
        "5 lines",
        LINES_ADD,
        {
            "id": checkout_id,
            "lines": [{"variantId": id_, "quantity": 1} for id_ in data.variant_ids],
        },
    )
    client.graphql(
        "delivery method",
        DELIVERY_METHOD,
        {"id": checkout_id, "method": data.shipping_method_id},
    )
    order = client.graphql("checkoutComplete", CHECKOUT_COMPLETE, {"id": checkout_id})[
        "checkoutComplete"
    ]["order"]
    if order is None:
        raise StepFailed("checkoutComplete", "no order")


def run_flow(
    flow: str,
    level: int,
    rounds: int,
    time_limit: float,
    base_url: str,
    data: LoadData,
    po_numbers: PoNumbers,
) -> FlowResult:
    """``level`` people at once, each doing up to ``rounds`` rounds, none starting
    one after ``time_limit`` seconds."""
    result = FlowResult(flow, level)
    lock = threading.Lock()
    barrier = threading.Barrier(level)
    started = 0.0

    def person(index: int) -> None:
        nonlocal started
        client = Client(base_url, result.samples, lock)
        barrier.wait()
        with lock:
            if not started:
                started = time.perf_counter()
        deadline = started + time_limit
        for round_number in range(rounds):
            if time.perf_counter() > deadline:
                break
            round_started = time.perf_counter()
            try:
                if flow == FLOW_CHECKOUT:
                    checkout_round(
                        client,
                        data,
                        f"load.shopper{index:02d}.{round_number}@example.com",
                    )
                else:
                    po_number = po_numbers.new()
                    with lock:
                        result.po_numbers.append(po_number)
                    punch_out_round(
                        client,
                        data,
                        data.connections[flow],
                        data.orderers[index],
                        po_number,
                    )
            except StepFailed:
                with lock:
                    result.failed_rounds += 1
                continue
            with lock:
                result.rounds.append(time.perf_counter() - round_started)
        client.http.close()

    threads = [
        threading.Thread(target=person, args=(index,), daemon=True)
        for index in range(level)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_seconds = time.perf_counter() - started
    return result


# --------------------------------------------------------------- exactly once


@dataclass
class ExactlyOnce:
    outcomes: dict[str, int]
    orders: int
    placed_records: int
    worker_pids: set[int]
    seconds: float

    @property
    def passed(self) -> bool:
        return (
            self.orders == 1
            and self.placed_records == 1
            and self.outcomes.get("placed") == 1
            and self.outcomes.get("duplicate") == EXACTLY_ONCE_COPIES - 1
        )


def exactly_once(
    servers: Servers, data: LoadData, po_numbers: PoNumbers
) -> ExactlyOnce:
    """One transferred cart, then the same cXML OrderRequest 20 times at once, each
    on a new connection so that they spread over the workers."""
    import requests
    from saleor.order.models import Order

    from saleor_oci_plugin.purchase_orders.models import ReceivedPurchaseOrder
    from saleor_oci_plugin.simulator.settings import CXML_ORDERS_PATH, PUNCHIN_PATH

    connection = data.connections[FLOW_ROUND_TRIP_NOHASH]
    lock = threading.Lock()
    client = Client(servers.base_url, [], lock)
    response = client.http.post(
        f"{servers.base_url}{PUNCHIN_PATH}",
        data={
            "USERNAME": connection["login"],
            "PASSWORD": connection["password"],
            "HOOK_URL": data.hook_url,
            "OCI_VERSION": "4.0",
            **data.orderers[0],
        },
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    code = parse_qs(urlsplit(response.headers["Location"]).query)["oci_code"][0]
    sent = shop_and_transfer(client, data, code)
    po_number = po_numbers.new()
    document = order_request(sent["html"], connection, po_number)
    client.http.close()

    log_offset = servers.access_log.stat().st_size
    outcomes: dict[str, int] = {}
    barrier = threading.Barrier(EXACTLY_ONCE_COPIES)

    def send() -> None:
        with requests.Session() as http:
            http.trust_env = False
            barrier.wait()
            try:
                reply = http.post(
                    f"{servers.base_url}{CXML_ORDERS_PATH}",
                    data=document,
                    headers={
                        "Content-Type": "text/xml; charset=utf-8",
                        "Connection": "close",
                    },
                    timeout=REQUEST_TIMEOUT_SECONDS,
                )
                outcome = po_outcome(reply.status_code, reply.content)
            except requests.RequestException as error:
                outcome = f"no answer: {error}"
        with lock:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1

    threads = [threading.Thread(target=send) for _ in range(EXACTLY_ONCE_COPIES)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    time.sleep(0.5)  # the access log lines are written after the answers
    pids = set()
    with open(servers.access_log, "rb") as log:
        log.seek(log_offset)
        for line in log.read().decode(errors="replace").splitlines():
            if CXML_ORDERS_PATH in line:
                pids.add(int(line.split(" ", 1)[0]))
    reference = f"oci:{connection['pk']}:{po_number}"
    return ExactlyOnce(
        outcomes=outcomes,
        orders=Order.objects.filter(external_reference=reference).count(),
        placed_records=ReceivedPurchaseOrder.objects.filter(
            connection_id=connection["pk"],
            order_number=po_number,
            status=ReceivedPurchaseOrder.Status.PLACED,
        ).count(),
        worker_pids=pids,
        seconds=seconds,
    )


def placed_twice(results: list[FlowResult], data: LoadData) -> list[str]:
    """The run's purchase orders that became more than one order."""
    from django.db.models import Count
    from saleor.order.models import Order

    references = [
        f"oci:{data.connections[result.flow]['pk']}:{number}"
        for result in results
        if result.flow != FLOW_CHECKOUT
        for number in result.po_numbers
    ]
    return list(
        Order.objects.filter(external_reference__in=references)
        .values("external_reference")
        .annotate(copies=Count("id"))
        .filter(copies__gt=1)
        .values_list("external_reference", flat=True)
    )


# ---------------------------------------------------------------------- report


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass
class Row:
    count: int
    errors: int
    per_second: float
    p50_ms: float
    p95_ms: float


def row(values: list[float], errors: int, wall_seconds: float) -> Row:
    if not values:
        return Row(0, errors, 0.0, math.nan, math.nan)
    return Row(
        len(values),
        errors,
        len(values) / wall_seconds if wall_seconds else 0.0,
        percentile(values, 0.5) * 1000,
        percentile(values, 0.95) * 1000,
    )


def step_rows(result: FlowResult) -> list[tuple[str, Row]]:
    steps = CHECKOUT_STEPS if result.flow == FLOW_CHECKOUT else PUNCHOUT_STEPS
    rows = []
    for step in steps:
        ok = [
            sample.seconds
            for sample in result.samples
            if sample.step == step and sample.ok
        ]
        failed = sum(
            1 for sample in result.samples if sample.step == step and not sample.ok
        )
        rows.append((step, row(ok, failed, result.wall_seconds)))
    rows.append(
        (
            "= whole round" if result.flow != FLOW_CHECKOUT else "= whole checkout",
            row(result.rounds, result.failed_rounds, result.wall_seconds),
        )
    )
    return rows


def print_table(results: list[FlowResult]) -> None:
    print(
        f"\n{'N':>3}  {'flow':<19} {'step':<17} {'ok':>4} {'err':>4} "
        f"{'per s':>6} {'p50 ms':>8} {'p95 ms':>8}  {'wall s':>6}"
    )
    for result in results:
        print("-" * 86)
        for index, (step, values) in enumerate(step_rows(result)):
            first = index == 0
            print(
                f"{result.level if first else '':>3}  "
                f"{result.flow if first else '':<19} {step:<17} "
                f"{values.count:>4} {values.errors:>4} {values.per_second:>6.2f} "
                f"{values.p50_ms:>8.0f} {values.p95_ms:>8.0f}  "
                + (f"{result.wall_seconds:>6.1f}" if first else "")
            )


def first_errors(results: list[FlowResult], limit: int = 8) -> list[str]:
    seen: dict[str, int] = {}
    for result in results:
        for sample in result.samples:
            if not sample.ok:
                key = f"N={result.level} {result.flow}: {sample.error}"
                seen[key] = seen.get(key, 0) + 1
    return [f"{count}x {text}" for text, count in list(seen.items())[:limit]]


def goals(results: list[FlowResult], level: int) -> list[str]:
    """The goals of issue #15 at N = ``level``, each with its figures."""
    by_flow = {result.flow: result for result in results if result.level == level}
    if len(by_flow) < 3:
        return [f"(N = {level} was not run)"]
    checkout = dict(step_rows(by_flow[FLOW_CHECKOUT]))
    lines = []
    errors = sum(
        row.errors for result in by_flow.values() for _, row in step_rows(result)[:-1]
    )
    lines.append(f"zero errors: {'yes' if errors == 0 else f'NO ({errors})'}")
    complete_p95 = checkout["checkoutComplete"].p95_ms
    for flow in (FLOW_ROUND_TRIP, FLOW_ROUND_TRIP_NOHASH):
        steps = dict(step_rows(by_flow[flow]))
        for step in ("transfer", "PO (cXML)"):
            p95 = steps[step].p95_ms
            lines.append(
                f"{flow}: {step} p95 {p95:.0f} ms vs checkoutComplete p95 "
                f"{complete_p95:.0f} ms: {'yes' if p95 <= complete_p95 else 'NO'}"
            )
    nohash = dict(step_rows(by_flow[FLOW_ROUND_TRIP_NOHASH]))["= whole round"]
    real = dict(step_rows(by_flow[FLOW_ROUND_TRIP]))["= whole round"]
    ordinary = checkout["= whole checkout"]
    lines.append(
        f"round trips/s without the password hash {nohash.per_second:.2f} vs "
        f"checkouts/s {ordinary.per_second:.2f}: "
        f"{'yes' if nohash.per_second >= ordinary.per_second else 'NO'} "
        f"(with the hash: {real.per_second:.2f}/s)"
    )
    return lines


# ------------------------------------------------------------------------ main


def prepare_database(url: str) -> bool:
    """Create the bench's database when missing; True when created."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        urlunsplit(parts._replace(path="/postgres")), autocommit=True
    ) as server:
        if server.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone():
            return False
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def migrate() -> bool:
    """Apply Saleor's and the plugin's migrations where any is pending (checking
    the plan is seconds; ``migrate`` with nothing to do is a minute here)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return True
    say("applying migrations (all of Saleor's on a new database: minutes)")
    try:
        call_command("migrate", interactive=False, verbosity=0)
    except Exception as error:
        print(f"bench/load: migrate failed: {error}", file=sys.stderr)
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="bench/load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--levels",
        default=",".join(map(str, LEVELS)),
        help="the numbers of concurrent people, comma-separated (default %(default)s)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=TIME_LIMIT_SECONDS,
        help="seconds per flow and level after which no round starts "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--keep-logs", action="store_true", help="keep the servers' logs and say where"
    )
    arguments = parser.parse_args()
    levels = [int(value) for value in arguments.levels.split(",") if value.strip()]
    if any(level < 1 or level > max(LEVELS) for level in levels):
        parser.error(f"levels are 1 to {max(LEVELS)}")

    use_redis = redis_answers()
    environment = server_environment(use_redis)
    os.environ.update(environment)
    url = environment["DATABASE_URL"]
    safe_url = urlunsplit(urlsplit(url)._replace(netloc=urlsplit(url).hostname or ""))
    say(f"database {safe_url} (the bench's own)")
    if prepare_database(url):
        say("created it")
    import logging

    import django

    # Saleor's log lines in this process (its deprecation warnings, logged as JSON
    # while it starts; migrate's progress) are not the bench's output.
    logging.disable(logging.WARNING)
    django.setup()
    if not migrate():
        return 1

    run_dir = Path(tempfile.mkdtemp(prefix="oci-load."))
    servers = Servers(run_dir, environment, celery=use_redis)

    def stop_on_signal(number: int, _frame: Any) -> None:
        raise SystemExit(128 + number)

    # Ctrl-C too, also where the shell started the bench with SIGINT ignored.
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, stop_on_signal)
    results: list[FlowResult] = []
    warm: list[FlowResult] = []
    po_numbers = PoNumbers()
    try:
        say(
            f"starting uvicorn saleor.asgi:application, {WORKERS} workers, on "
            f"{servers.base_url}"
            + (" and a Celery worker (concurrency 1)" if use_redis else "")
        )
        servers.start()
        say(
            "data (while the servers start): the demo shop and buyer, a no-hash "
            "connection, 32 orderers"
        )
        data = set_up_data()
        hash_ms = statistics.median(data.hash_seconds) * 1000
        servers.wait_until_answering()
        say("warming up both workers (not counted)")
        warm = [
            run_flow(flow, 2, 1, 60, servers.base_url, data, po_numbers)
            for flow in (FLOW_CHECKOUT, FLOW_ROUND_TRIP_NOHASH)
        ]
        for result in warm:
            if result.failed_rounds:
                print("bench/load: the warm-up failed:", file=sys.stderr)
                for line in first_errors([result]):
                    print(f"  {line}", file=sys.stderr)
                return 1
        for level in levels:
            rounds = ROUNDS.get(level) or max(1, 32 // level)
            for flow in (FLOW_CHECKOUT, FLOW_ROUND_TRIP, FLOW_ROUND_TRIP_NOHASH):
                say(
                    f"N={level:<2} {flow:<19} up to {rounds} round(s) each, "
                    f"{arguments.time_limit:.0f} s"
                )
                results.append(
                    run_flow(
                        flow,
                        level,
                        rounds,
                        arguments.time_limit,
                        servers.base_url,
                        data,
                        po_numbers,
                    )
                )
        say(f"exactly once: {EXACTLY_ONCE_COPIES} identical cXML POs at once")
        once = exactly_once(servers, data, po_numbers)
        load = os.getloadavg()
    except (RuntimeError, StepFailed, KeyError) as error:
        # A server that would not start, or the exactly-once check's set-up.
        print(f"bench/load: {error}", file=sys.stderr)
        return 1
    finally:
        servers.stop()
        if arguments.keep_logs:
            say(f"server logs kept in {run_dir}")
        else:
            for path in run_dir.iterdir():
                path.unlink()
            run_dir.rmdir()
        drop_app_token()
        say("servers stopped")

    doubles = placed_twice(results + warm, data)
    print_table(results)
    print(
        "\nper s: answers per second of the flow's wall time; p50/p95: nearest rank;"
        " 'no hash': the same buyer's second connection, whose stored password is a"
        " PBKDF2 hash of 1 iteration."
    )
    print(
        f"password hash, apart: check_password of the real connection in this "
        f"process ({data.hash_algorithm}): median {hash_ms:.0f} ms over "
        f"{len(data.hash_seconds)} (once per punch-in, in the punch-in row above)."
    )
    print(
        f"ordinary checkouts: guest checkouts in channel {data.channel_slug!r}, "
        "which allows unpaid orders (allow_unpaid_orders set by this bench)."
    )
    print(
        "Celery: "
        + (
            "a worker (concurrency 1, Redis broker db "
            f"{BROKER_REDIS_DB}) runs the queued tasks, as in production; cache in "
            f"Redis db {CACHE_REDIS_DB}."
            if use_redis
            else "no Redis at 127.0.0.1:6379: tasks run eagerly in the request, "
            "cache in process memory."
        )
    )
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f} at the end (client, servers and anything else on it)."
    )
    errors = first_errors(results)
    if errors:
        print("\nerrors (first of each kind):")
        for line in errors:
            print(f"  {line}")
    print(
        f"\nexactly once: {EXACTLY_ONCE_COPIES} identical OrderRequests in "
        f"{once.seconds:.2f} s, answered by {len(once.worker_pids)} of "
        f"{WORKERS} uvicorn worker processes: "
        + ", ".join(
            f"{count} {outcome}" for outcome, count in sorted(once.outcomes.items())
        )
        + f"; {once.orders} order(s), {once.placed_records} placed PO record(s): "
        + ("PASS" if once.passed else "FAIL")
    )
    print(
        "purchase orders placed twice in the load: "
        + (", ".join(doubles) if doubles else "none")
    )
    if 8 in levels:
        print("\ngoals at N = 8:")
        for line in goals(results, 8):
            print(f"  {line}")
    failed = any(result.failed_rounds for result in results) or any(
        not sample.ok for result in results for sample in result.samples
    )
    return 1 if failed or doubles or not once.passed else 0


if __name__ == "__main__":
    sys.exit(main())
