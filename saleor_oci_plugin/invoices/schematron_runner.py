"""Runs compiled schematron (XSLT 2.0 producing SVRL) with saxonche, in its own process.

Started by ``validation`` as ``python -P <this file>``: saxonche is known to crash
threaded hosts such as web servers, so it never runs inside one. This file
imports only the standard library and saxonche; keep it that way, it is run as a
plain script and must not pull in the plugin (or Django).

Protocol: stdin is one JSON object ``{"stylesheets": [path, ...], "documents":
[xml text, ...]}``. Each stylesheet is compiled once and applied to every
document. stdout is one JSON object ``{"results": [[entry, ...], ...]}``, one
list per document with one entry per stylesheet, in order: ``{"svrl": text}`` or
``{"error": message}`` when that transformation failed. A stylesheet that cannot
be compiled ends the run with exit status 3 and the reason on stderr.

The documents have already been parsed safely and re-serialised by the caller
(no DOCTYPE, no entities), so Saxon never sees a DTD.
"""

import json
import sys

from saxonche import PySaxonProcessor

EXIT_STYLESHEET_ERROR = 3


def main() -> int:
    request = json.load(sys.stdin)
    stylesheets: list[str] = request["stylesheets"]
    documents: list[str] = request["documents"]

    with PySaxonProcessor(license=False) as processor:
        xslt = processor.new_xslt30_processor()
        executables = []
        for path in stylesheets:
            try:
                executables.append(xslt.compile_stylesheet(stylesheet_file=path))
            except Exception as error:  # saxonche raises plain exceptions
                print(f"cannot compile {path}: {error}", file=sys.stderr)
                return EXIT_STYLESHEET_ERROR
        results = []
        for text in documents:
            entries: list[dict[str, str]] = []
            try:
                node = processor.parse_xml(xml_text=text)
            except Exception as error:
                entries = [{"error": f"cannot parse document: {error}"}] * len(
                    executables
                )
                results.append(entries)
                continue
            for executable in executables:
                try:
                    svrl = executable.transform_to_string(xdm_node=node)
                except Exception as error:
                    entries.append({"error": str(error).strip()})
                else:
                    entries.append({"svrl": svrl or ""})
            results.append(entries)
    json.dump({"results": results}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
