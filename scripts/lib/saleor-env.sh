# Finding and preparing the Saleor 3.23 environment; sourced by scripts/run-tests,
# scripts/mypy and bench/run-saleor. Needs $root (the checkout) to be set.
#
# The environment is the virtualenv at $SALEOR_VENV, else ~/saleor-3.23/.venv.

saleor_venv="${SALEOR_VENV:-$HOME/saleor-3.23/.venv}"
saleor_py="$saleor_venv/bin/python"

# Print the Saleor version installed there; fail unless it is a 3.23 release.
saleor_version() {
    local version
    version="$("$saleor_py" -I -c \
        'import importlib.metadata as m; print(m.version("saleor"))' 2>/dev/null)"
    echo "${version:-no saleor package there}"
    case "$version" in 3.23.*) return 0 ;; *) return 1 ;; esac
}

# Export what Saleor's settings read, and check that PostgreSQL answers.
saleor_database_ready() {
    export SECRET_KEY="${SECRET_KEY:-saleor-oci-plugin-tests}"
    export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/saleor_oci}"
    "$saleor_py" - <<'PY'
import os, sys
import psycopg
from urllib.parse import urlsplit, urlunsplit
# Connect to the server's maintenance database: the test database may not exist yet.
url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))
try:
    psycopg.connect(url, connect_timeout=5).close()
except psycopg.Error as error:
    sys.exit(f"PostgreSQL at {url} is not reachable: {error}".strip())
PY
}

# Make the environment's saleor-oci-plugin an editable install of this checkout,
# with the dependencies its setup.py declares now (reinstalled when either changes).
saleor_install_checkout() {
    local stamp="$saleor_venv/.saleor-oci-plugin-installed"
    local wanted
    wanted="$root $(sha256sum < "$root/setup.py")"
    local installed_from
    installed_from="$("$saleor_py" -I -c '
import importlib.metadata as m
try:
    print(m.distribution("saleor-oci-plugin").read_text("direct_url.json") or "")
except m.PackageNotFoundError:
    pass' 2>/dev/null)"
    case "$installed_from" in
    *"\"file://$root\""*) [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] && return 0 ;;
    esac
    echo "== installing saleor-oci-plugin from $root into $saleor_venv (editable)"
    "$saleor_py" -m pip --version >/dev/null 2>&1 || "$saleor_py" -m ensurepip || return 1
    "$saleor_py" -m pip install -q --disable-pip-version-check -e "$root" || return 1
    echo "$wanted" > "$stamp"
}

# Install what only the saleor tier's tests need (requirements/saleor-tests.txt:
# Playwright, for the browser test) into the environment; again when that file
# changes or a pinned version is no longer there. The packages already there are
# held at their versions (constraints from pip freeze): a requirement that would
# move one of Saleor's pins fails instead.
saleor_install_test_requirements() {
    local requirements="$root/requirements/saleor-tests.txt"
    local stamp="$saleor_venv/.saleor-oci-plugin-test-requirements"
    local wanted
    wanted="$(sha256sum < "$requirements")"
    if [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] &&
        "$saleor_py" -I - "$requirements" <<'PY'
import importlib.metadata as m, sys
for line in open(sys.argv[1]):
    name, _, version = line.split("#")[0].strip().partition("==")
    try:
        if name and m.version(name) != version:
            sys.exit(1)
    except m.PackageNotFoundError:
        sys.exit(1)
PY
    then
        return 0
    fi
    echo "== installing requirements/saleor-tests.txt into $saleor_venv"
    local pinned
    pinned="$(mktemp "${TMPDIR:-/tmp}/saleor-pins.XXXXXX")" || return 1
    if "$saleor_py" -m pip freeze --exclude-editable >"$pinned" &&
        "$saleor_py" -m pip install -q --disable-pip-version-check \
            -r "$requirements" -c "$pinned"; then
        rm -f "$pinned"
        echo "$wanted" > "$stamp"
        return 0
    fi
    rm -f "$pinned"
    return 1
}
