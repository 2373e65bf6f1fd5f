"""Python files are read as syntax trees only: a file that does not parse is an input problem, not a crash."""

from __future__ import annotations

from pathlib import Path

from report_samples import write_tree
from rulecases import FIXED_NOW

from checker.engine.run import RunOptions, run
from checker.model import Status


def test_unparseable_python_is_listed_as_an_input_problem(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "svc/app.py": "import logging\nlogger = logging.getLogger(__name__)\n",
            "svc/broken.py": "def handler(:\n    print('never parsed')\n",
        },
    )
    report = run(RunOptions(target=tmp_path, only=("MON004", "MON001"), clock=lambda: FIXED_NOW))
    statuses = {r.rule_id: r.status for r in report.results}
    assert statuses == {"MON004": Status.ERROR, "MON001": Status.FAIL}  # MON004 could not judge broken.py
    (problem,) = [p for p in report.input_problems if p.path == "svc/broken.py"]
    assert problem.line == 1
    assert problem.message.startswith("not valid Python:")


def test_project_code_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    write_tree(tmp_path, {"svc/app.py": f"open({str(marker)!r}, 'w').write('x')\nprint('side effect')\n"})
    report = run(RunOptions(target=tmp_path, only=("MON004",), clock=lambda: FIXED_NOW))
    (result,) = report.results
    assert result.status == Status.FAIL
    assert [(f.path, f.line) for f in result.findings] == [("svc/app.py", 2)]
    assert not marker.exists()
