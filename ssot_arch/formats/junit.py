"""`--format junit`: JUnit XML, one test case per contract (failures list the violations).

It follows the strict Ant/JUnitReport schema (windyroad's JUnit.xsd), which every CI
reads. That schema requires a timestamp: it is `SOURCE_DATE_EPOCH` when set (for
byte-identical output), else the time of the run. Warnings and files not read go to
the suite's `system-err`. Every text is `printable`: XML 1.0 cannot hold most control
characters at all.
"""

from __future__ import annotations

import datetime
import os
from xml.etree import ElementTree

from ssot_arch.domain.model import CheckOutcome
from ssot_arch.formats.common import (
    plural,
    printable,
    stale_message,
    violation_message,
)


def _timestamp() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
        if epoch and epoch.isdigit()
        else datetime.datetime.now(datetime.timezone.utc)
    )
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def render(outcome: CheckOutcome, color: bool = False) -> str:
    """The check as a JUnit XML suite: a test case per contract and one for coverage,
    failing with what broke it. (`color` is unused.)"""
    cases = []
    for result in sorted(outcome.contracts, key=lambda r: r.spec.id):
        spec = result.spec
        lines = [f"{v.file}:{v.line}: {violation_message(spec, v)}" for v in result.failing]
        if result.baseline:
            if result.baseline.fail_on_stale:
                lines += [f"{e.file}: {stale_message(e)}" for e in result.baseline.stale]
            lines += [
                f"budget {b.root}: {b.violations} violations, budget {b.budget}"
                for b in result.baseline.over_budget
            ]
        failure = None
        if not result.kept:
            failure = (f"{plural(len(result.failing), 'violation')} of {spec.id}", lines)
        cases.append((f"{spec.name} [{spec.id}]", failure))
    coverage = outcome.coverage
    failure = None
    if coverage.unanalyzed:
        failure = (
            f"{plural(len(coverage.unanalyzed), 'file')} not analysed",
            [f"{u.file}: {u.reason}" for u in coverage.unanalyzed],
        )
    # The case's name stays `coverage: N/M files`: CI systems track cases by name.
    cases.append((f"coverage: {coverage.files_analyzed}/{coverage.files_total} files", failure))
    diagnostics = [
        f"warning: {w} [{r.spec.id}]"
        for r in sorted(outcome.contracts, key=lambda r: r.spec.id)
        for w in sorted(r.warnings)
    ]
    diagnostics += [f"warning: {w}" for w in sorted(outcome.warnings)]
    diagnostics += [f"{s.path}: not read: {s.reason}" for s in sorted(coverage.skipped_files)]

    suites = ElementTree.Element("testsuites")
    suite = ElementTree.SubElement(
        suites,
        "testsuite",
        {
            "package": "ssot_arch",
            "id": "0",
            "name": "ssot-arch",
            "timestamp": _timestamp(),
            "hostname": "ssot-arch",
            "tests": str(len(cases)),
            "failures": str(sum(1 for _, f in cases if f)),
            "errors": "0",
            "time": "0",
        },
    )
    ElementTree.SubElement(suite, "properties")
    for name, failure in cases:
        case = ElementTree.SubElement(
            suite, "testcase", {"classname": "ssot-arch", "name": printable(name), "time": "0"}
        )
        if failure:
            element = ElementTree.SubElement(
                case, "failure", {"type": "ssot-arch", "message": printable(failure[0])}
            )
            element.text = "\n".join(map(printable, failure[1]))
    ElementTree.SubElement(suite, "system-out")
    system_err = ElementTree.SubElement(suite, "system-err")
    system_err.text = "\n".join(map(printable, diagnostics)) or None
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
