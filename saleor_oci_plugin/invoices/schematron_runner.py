"""Runs compiled schematron (XSLT 2.0 producing SVRL) with saxonche, in its own process.

Started by ``validation`` as ``python -P <this file> [--memory-limit BYTES]``:
saxonche is known to crash threaded hosts such as web servers, so it never runs
inside one. This file imports only the standard library and saxonche; keep it
that way, it is run as a plain script and must not pull in the plugin (or Django).

It is long-lived: it serves requests one after another, each compiled stylesheet
kept warm for the next, until its stdin closes (the parent is gone or recycles it).

Protocol: one JSON object per line each way. A request is ``{"stylesheets":
[path, ...], "documents": [xml text, ...]}``; the stylesheets not compiled yet
are compiled (none, once warm), then applied to every document. The answer is
``{"results": [[entry, ...], ...]}``, one list per document with one entry per
stylesheet, in order: ``{"svrl": text}`` or ``{"error": message}`` when that
transformation failed; or ``{"compile_error": message}`` when a stylesheet cannot
be compiled. A request with no documents only compiles (warms).

``--memory-limit``: the process's data segment (heap and private writable
mappings, where Saxon's heap lives) is capped with ``RLIMIT_DATA`` before saxonche
is loaded; going over it makes this process fail, never its parent. Not
``RLIMIT_AS``: saxonche's GraalVM isolate reserves about 32 GB of address space
up front, so any smaller address-space cap stops it from starting at all.

The documents have already been parsed safely and re-serialised by the caller
(no DOCTYPE, no entities), so Saxon never sees a DTD.
"""

import json
import resource
import sys


def _transform(processor, executables, text: str) -> list[dict[str, str]]:
    try:
        node = processor.parse_xml(xml_text=text)
    except Exception as error:  # saxonche raises plain exceptions
        return [{"error": f"cannot parse document: {error}"}] * len(executables)
    entries: list[dict[str, str]] = []
    for executable in executables:
        try:
            svrl = executable.transform_to_string(xdm_node=node)
        except Exception as error:
            entries.append({"error": str(error).strip()})
        else:
            entries.append({"svrl": svrl or ""})
    return entries


def serve(memory_limit: int) -> int:
    if memory_limit > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (memory_limit, memory_limit))
    from saxonche import PySaxonProcessor

    requests = sys.stdin.buffer
    answers = sys.stdout.buffer
    with PySaxonProcessor(license=False) as processor:
        xslt = processor.new_xslt30_processor()
        compiled: dict[str, object] = {}
        while line := requests.readline():
            request = json.loads(line)
            answer: dict[str, object]
            try:
                for path in request["stylesheets"]:
                    if path not in compiled:
                        try:
                            compiled[path] = xslt.compile_stylesheet(
                                stylesheet_file=path
                            )
                        except Exception as error:
                            message = f"cannot compile {path}: {error}"
                            raise ValueError(message) from None
            except ValueError as error:
                answer = {"compile_error": str(error)}
            else:
                executables = [compiled[path] for path in request["stylesheets"]]
                answer = {
                    "results": [
                        _transform(processor, executables, text)
                        for text in request["documents"]
                    ]
                }
            answers.write(json.dumps(answer).encode("utf-8") + b"\n")
            answers.flush()
    return 0


def main(argv: list[str]) -> int:
    memory_limit = 0
    if argv[:1] == ["--memory-limit"] and len(argv) == 2:
        memory_limit = int(argv[1])
    elif argv:
        print("usage: schematron_runner.py [--memory-limit BYTES]", file=sys.stderr)
        return 2
    return serve(memory_limit)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
