"""The console script: options, and a real server on 127.0.0.1."""

import importlib.metadata
import threading
import urllib.request

import pytest

from saleor_oci_plugin.simulator import cli
from saleor_oci_plugin.simulator.settings import Settings


def test_console_script_entry_point():
    scripts = {
        entry.name: entry.value
        for entry in importlib.metadata.entry_points(group="console_scripts")
    }

    assert scripts.get("oci-simulator") == "saleor_oci_plugin.simulator.cli:main"


def test_defaults(monkeypatch):
    for name in ("PASSWORD", "APP_TOKEN", "CXML_SECRET"):
        monkeypatch.delenv(f"OCI_SIMULATOR_{name}", raising=False)

    settings = cli.parse_settings([])

    assert settings == Settings()
    assert settings.host == "127.0.0.1"
    assert settings.hook_url == "http://127.0.0.1:8800/hook"


def test_options():
    settings = cli.parse_settings(
        [
            "--shop-url", "http://127.0.0.1:8000/",
            "--login", "inkoop",
            "--password", "pw",
            "--hook-url-base", "http://127.0.0.1:9000",
            "--target", "srm_frame",
            "--app-token", "tok",
            "--cxml-identity", "AN1",
            "--cxml-secret", "sec",
            "--connection-id", "T2NpQ29ubmVjdGlvbjox",
            "--nzi-field", "cust_field1",
            "--charset", "latin1",
            "--port", "9001",
        ]
    )  # fmt: skip

    assert settings.shop_url == "http://127.0.0.1:8000"
    assert settings.punchin_url == (
        "http://127.0.0.1:8000/plugins/global/oci.punchout/punchin"
    )
    assert settings.hook_url == "http://127.0.0.1:9000/hook"
    assert (settings.login, settings.password, settings.target) == (
        "inkoop",
        "pw",
        "srm_frame",
    )
    assert settings.graphql_configured
    assert settings.cxml_configured
    assert settings.nzi_field == "CUST_FIELD1"
    assert settings.charset == "ISO-8859-1"
    assert settings.port == 9001
    # Secrets stay out of logs and tracebacks.
    assert "pw" not in repr(settings)
    assert "sec" not in repr(settings)
    assert "tok" not in repr(settings)


def test_secrets_from_the_environment(monkeypatch):
    monkeypatch.setenv("OCI_SIMULATOR_PASSWORD", "env-pw")
    monkeypatch.setenv("OCI_SIMULATOR_APP_TOKEN", "env-token")
    monkeypatch.setenv("OCI_SIMULATOR_CXML_SECRET", "env-secret")

    settings = cli.parse_settings([])

    assert (settings.password, settings.app_token, settings.cxml_secret) == (
        "env-pw",
        "env-token",
        "env-secret",
    )


@pytest.mark.parametrize(
    "arguments",
    [
        ["--shop-url", "ftp://127.0.0.1"],
        ["--shop-url", "127.0.0.1:8000"],
        ["--target", "my frame"],
        ["--target", "_nowhere"],
        ["--charset", "utf-7"],
        ["--port", "70000"],
        ["--nzi-field", "NZI CODE"],
        ["--timeout", "0"],
    ],
)
def test_bad_options_are_refused(arguments, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.parse_settings(arguments)

    assert exited.value.code == 2
    assert "oci-simulator: error" in capsys.readouterr().err


def test_server_serves_the_start_page_on_its_own_port():
    server, app = cli.make_simulator_server(
        Settings(host="127.0.0.1", port=0, login="buyer")
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        port = server.server_port
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{port}/", timeout=5) as response:
            page = response.read().decode()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)

    assert port != 0
    assert app.settings.port == port
    # The HOOK_URL names the port actually bound.
    assert f'value="http://127.0.0.1:{port}/hook"' in page


def test_main_reports_a_port_in_use(capsys):
    server, _ = cli.make_simulator_server(Settings(port=0))
    try:
        code = cli.main(["--port", str(server.server_port)])
    finally:
        server.server_close()

    assert code == 1
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err
