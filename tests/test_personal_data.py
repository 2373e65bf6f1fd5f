"""SEC009 beyond its rule cases: the detectors value by value (recall and precision), the bounded CSV sample,
`data.personal_data` as a config key, and the core install (CSV judged without the data engines, Parquet an
`error` naming the extra)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest
from rulecases import FIXTURES

from checker.config import ConfigError, load_config
from checker.data import personal
from checker.data.preflight import DataLimits
from checker.data.samples import SAMPLE_BYTES, sample_file
from checker.data.sources import DatasetError

LIMITS = DataLimits(max_rows=1_000_000, max_mb=64)

PERSONAL = [
    ("jane.doe@example.com", personal.EMAIL),
    ("J.Doe+billing@Mail.Example.co.uk", personal.EMAIL),
    ("+49 30 1234567", personal.PHONE),
    ("+14155550132", personal.PHONE),
    ("+44 (0)20 7946 0958", personal.PHONE),
    ("030 1234567", personal.PHONE),
    ("0612345678", personal.PHONE),
    ("(415) 555-0132", personal.PHONE),
    ("415.555.0132", personal.PHONE),
    ("DE89 3704 0044 0532 0130 00", personal.IBAN),
    ("GB82WEST12345698765432", personal.IBAN),
    ("4111 1111 1111 1111", personal.CARD),
    ("5500-0000-0000-0004", personal.CARD),
    ("378282246310005", personal.CARD),
    ("123-45-6789", personal.SSN),
]

NOT_PERSONAL = [
    "ORD-2026-000123", "A1B2C3D4", "1000000001", "0000012345", "4155550132",  # ids, a bare 10-digit number
    "4000000000000001",  # 16 digits, Luhn-invalid
    "1767225600000", "1767225600", "1780000000000004194",  # epoch ms / s, a snowflake id
    "2026-03-01T10:00:00Z", "2026-03-01 10:00:00", "2026-03-01", "20260301",  # timestamps and dates
    "1.22.3", "2.16.2", "10.0.19041.1", "v1.4.0",  # versions
    "b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514",  # sha256 of an e-mail
    "5f4dcc3b5aa765d61d8327deb882cf99@relay.example.com", "tok_9f86d081@vault.internal",  # tokenised e-mails
    "j***@example.com", "user@localhost",  # masked, no domain
    "DE89 3704 0044 0532 0130 01",  # IBAN with a wrong check digit
    "XX89370400440532013000", "DE8937040044053201300",  # unknown country, wrong length
    "000-12-3456", "666-12-3456", "123-00-4567",  # never issued as SSNs
    "0.0731", "129.90", "web", "",
]


@pytest.mark.parametrize(("value", "kind"), PERSONAL)
def test_each_kind_is_detected(value: str, kind: str) -> None:
    assert personal.detect(value) == kind


@pytest.mark.parametrize("value", NOT_PERSONAL)
def test_look_alikes_are_not_personal_data(value: str) -> None:
    assert personal.detect(value) is None


def test_luhn() -> None:
    assert personal.luhn_valid("79927398713") and not personal.luhn_valid("79927398710")


def _write(root: Path, rel: str, data: bytes) -> str:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(data)
    return rel


def test_csv_sample_keeps_the_text_as_written_with_lines(tmp_path: Path) -> None:
    rel = _write(tmp_path, "data/a.csv", b'id,phone,note\n1,0612345678,"two\nlines"\n2,,x\n3,030 1234567,y\n')
    columns = {c.name: c for c in sample_file(tmp_path, rel, LIMITS)}
    assert columns["phone"].values == ["0612345678", "030 1234567"]  # the trunk 0 kept, the empty cell skipped
    assert columns["phone"].lines == [2, 5]  # the quoted line break counted


def test_compressed_csv_and_row_cap(tmp_path: Path) -> None:
    body = b"email\n" + b"".join(b"p%d@mailbox.org\n" % i for i in range(5000))
    rel = _write(tmp_path, "data/a.csv.gz", gzip.compress(body))
    (column,) = sample_file(tmp_path, rel, LIMITS, rows=1000)
    assert len(column.values) == 1000 and column.lines[-1] == 1001


def test_only_a_bounded_prefix_is_parsed(tmp_path: Path) -> None:
    rel = _write(tmp_path, "data/huge.csv", b"a" * (SAMPLE_BYTES + 10))
    with pytest.raises(DatasetError, match="no line break in its first 4 MB"):
        sample_file(tmp_path, rel, LIMITS)
    rel = _write(tmp_path, "data/wide.csv", b"v\n" + b"x\n" * (SAMPLE_BYTES // 2 + 10))
    (column,) = sample_file(tmp_path, rel, LIMITS, rows=10**9)
    assert len(column.values) < SAMPLE_BYTES // 2


def test_a_fifo_is_refused_not_opened(tmp_path: Path) -> None:
    import os

    (tmp_path / "data").mkdir()
    os.mkfifo(tmp_path / "data" / "pipe.csv")
    with pytest.raises(DatasetError, match="FIFO"):
        sample_file(tmp_path, "data/pipe.csv", LIMITS)


def _config(root: Path, text: str) -> list[str]:
    (root / "readiness.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    return [p.split(": ", 1)[1] for p in caught.value.problems]


def test_personal_data_entries_need_a_column_and_a_reason(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("email\n", encoding="utf-8")
    problems = _config(tmp_path, (
        "data:\n  personal_data:\n"
        "    - {path: c.csv, column: email}\n"
        "    - {path: c.csv, column: email, reason: '  '}\n"
        "    - {path: c.csv, reason: test accounts}\n"
    ))  # fmt: skip
    assert problems[0] == "data.personal_data[0].reason: required key is missing"
    assert problems[1] == ("data.personal_data[1].reason: say why the column may hold personal data (consent, "
                           "synthetic data, a ticket)")
    assert problems[2] == "data.personal_data[2].column: required key is missing"


def test_personal_data_paths_must_exist_inside_the_project(tmp_path: Path) -> None:
    problems = _config(tmp_path, (
        "data:\n  personal_data:\n"
        "    - {path: data/missing.csv, column: email, reason: test accounts}\n"
        "    - {path: ../outside.csv, column: email, reason: test accounts}\n"
    ))  # fmt: skip
    assert problems == ["data.personal_data[0].path: path 'data/missing.csv' does not exist",
                        "data.personal_data[1].path: path '../outside.csv' leaves the project root"]  # fmt: skip


def test_a_declaration_loads(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("email\n", encoding="utf-8")
    (tmp_path / "readiness.yaml").write_text(
        "data:\n  personal_data: [{path: c.csv, column: email, reason: consented test accounts}]\n", encoding="utf-8"
    )
    (entry,) = load_config(tmp_path).config.data.personal_data
    assert (entry.path, entry.column, entry.reason) == ("c.csv", "email", "consented test accounts")


CORE_ONLY = """
import importlib.abc, json, sys
from pathlib import Path
class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("great_expectations", "pandas", "pyarrow", "numpy", "scipy", "pyspark"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, NotInstalled())
from checker.engine.run import RunOptions, run
(result,) = run(RunOptions(target=Path(sys.argv[1]), only=("SEC009",))).results
print(json.dumps([result.status.value, result.message, [f.message for f in result.findings]]))
"""


def _core(project: Path) -> list[object]:
    import json

    proc = subprocess.run([sys.executable, "-c", CORE_ONLY, str(project)], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_the_core_install_judges_csv_and_names_the_extra_for_parquet(tmp_path: Path) -> None:
    import shutil

    csv_project, parquet_project = tmp_path / "csv", tmp_path / "parquet"
    shutil.copytree(FIXTURES / "data" / "pii-emails", csv_project)
    shutil.copytree(FIXTURES / "data" / "pii-parquet", parquet_project)
    status, _, findings = _core(csv_project)
    assert status == "fail" and "(25 e-mail addresses)" in findings[0]  # type: ignore[index]
    status, message, _ = _core(parquet_project)
    assert status == "error" and "pip install 'readiness-checker[data]'" in message  # type: ignore[operator]
