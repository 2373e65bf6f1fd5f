"""The data rules give the same verdicts on the pandas (pyarrow) and the Spark engine, and hostile data
is reported, never raised."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rulecases import FIXED_NOW

from checker.config import ConfigError
from checker.engine.run import RunOptions, run

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SAMPLE_SIZE = Path(__file__).resolve().parent / "fixtures" / "data" / "sample-size"
# pyspark warns on import that it does not fully support pandas 3; nothing here depends on that support.
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")
DATA_RULES = ("DAT001", "DAT002", "DAT003", "DAT004", "DAT005", "DAT006", "DAT007")
MIN_ROWS_RULES = ("DAT004", "DAT005", "DAT006", "DAT007")


@pytest.fixture(scope="module")
def spark_session():
    """One small local session for the module: one core, few shuffle partitions, no UI."""
    pyspark = pytest.importorskip("pyspark.sql")
    session = (
        pyspark.SparkSession.builder.master("local[1]").appName("readiness-tests")
        .config("spark.sql.shuffle.partitions", "2").config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false").getOrCreate()
    )  # fmt: skip
    yield session
    session.stop()


def _project(tmp_path: Path, example: str, engine: str) -> Path:
    target = tmp_path / example
    shutil.copytree(EXAMPLES / example, target, ignore=shutil.ignore_patterns(".readiness-cache", "reports"))
    config = target / "readiness.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("engine: pandas", f"engine: {engine}"), encoding="utf-8")
    return target


def _verdicts(target: Path, rules: tuple[str, ...] = DATA_RULES) -> dict[str, tuple[str, list[str]]]:
    report = run(RunOptions(target=target, only=rules, clock=lambda: FIXED_NOW))
    return {r.rule_id: (r.status.value, sorted(f.message for f in r.findings)) for r in report.results}


@pytest.mark.parametrize("example", ["fraud-scorer", "fraud-scorer-drifted"])
def test_pandas_and_spark_agree(example: str, tmp_path: Path, spark_session: object) -> None:
    pandas = _verdicts(_project(tmp_path / "pandas", example, "pandas"))
    spark = _verdicts(_project(tmp_path / "spark", example, "spark"))
    expected = "pass" if example == "fraud-scorer" else "fail"
    assert {rule: status for rule, (status, _) in pandas.items()} == dict.fromkeys(DATA_RULES, expected)
    # DAT002–DAT007 compute the same aggregates on both engines: identical findings, word for word.
    for rule in DATA_RULES[1:]:
        assert spark[rule] == pandas[rule], rule
    # DAT001 is GX's own verdict per expectation; both engines fail the same expectations.
    assert spark["DAT001"][0] == pandas["DAT001"][0]
    assert [m.split(" failed")[0] for m in spark["DAT001"][1]] == [m.split(" failed")[0] for m in pandas["DAT001"][1]]


def _sample_size_project(tmp_path: Path, engine: str, serving: str) -> Path:
    target = tmp_path / engine / serving
    shutil.copytree(SAMPLE_SIZE, target)
    (target / "readiness.yaml").write_text(f"data:\n  engine: {engine}\n  reference: {{path: data/reference.csv}}\n"
                                           f"  serving: {{path: data/{serving}.csv}}\n  target: [label]\n", encoding="utf-8")  # fmt: skip
    return target


def _judged(target: Path) -> dict[str, tuple[str, str, list[str]]]:
    report = run(RunOptions(target=target, only=MIN_ROWS_RULES, clock=lambda: FIXED_NOW))
    return {r.rule_id: (r.status.value, r.message, sorted(f.message for f in r.findings)) for r in report.results}


@pytest.mark.parametrize("serving", ["serving_small", "serving_mix", "serving_unseen", "serving_thin"])
def test_min_rows_and_categorical_drift_agree_on_both_engines(serving: str, tmp_path: Path, spark_session: object) -> None:
    """min_rows counts the same non-null rows (an empty CSV text cell is missing on both engines) and DAT007
    the same categories: status, message and findings are identical."""
    pandas = _judged(_sample_size_project(tmp_path, "pandas", serving))
    spark = _judged(_sample_size_project(tmp_path, "spark", serving))
    assert spark == pandas
    expected = {"serving_small": "skipped", "serving_mix": "fail", "serving_unseen": "fail", "serving_thin": "pass"}[serving]
    assert pandas["DAT007"][0] == expected


def test_drifted_example_names_each_drift(tmp_path: Path) -> None:
    found = _verdicts(_project(tmp_path, "fraud-scorer-drifted", "pandas"))
    assert found["DAT002"][1] == ["column 'device' (string in data/reference.csv) is missing"]
    assert "'CA' ×20, 'US' ×20" in found["DAT004"][1][0]
    assert found["DAT005"][1][0].startswith("column 'avg_amount_30d': 25.0% of values are missing")
    assert found["DAT006"][1][0].startswith("column 'amount' drifted: PSI")
    assert found["DAT007"][1] == ["column 'country' drifted: PSI 1.567 > 0.2 (largest shifts: unseen values 20.0% "
                                  "(0.0% in data/reference.csv), 'DE' 24.5% (30.0% in data/reference.csv), 'FR' 16.0% "
                                  "(20.0% in data/reference.csv))"]  # fmt: skip


def test_typo_in_inline_expectation_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("amount\n1.0\n", encoding="utf-8")
    (tmp_path / "readiness.yaml").write_text(
        "data:\n  reference:\n    path: data.csv\n    expectations:\n"
        "      - {type: expect_column_values_to_not_be_nul, kwargs: {column: amount}}\n", encoding="utf-8"
    )  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        run(RunOptions(target=tmp_path, only=("DAT001",), clock=lambda: FIXED_NOW))
    assert caught.value.problems == [
        (f"{tmp_path / 'readiness.yaml'}:5:10: data.reference.expectations[0].type: unknown Great Expectations "
         "expectation 'expect_column_values_to_not_be_nul' (did you mean 'expect_column_values_to_not_be_null'?)")
    ]


def test_missing_dataset_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "readiness.yaml").write_text("data:\n  reference: {path: data/missing.parquet}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        run(RunOptions(target=tmp_path, only=("DAT002",), clock=lambda: FIXED_NOW))
    assert caught.value.problems == [
        f"{tmp_path / 'readiness.yaml'}:2:15: data.reference.path: path 'data/missing.parquet' does not exist"
    ]


def test_parquet_parts_that_disagree_name_the_dataset(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = tmp_path / "data" / "reference"
    parts.mkdir(parents=True)
    pq.write_table(pa.table({"amount": [1.0, 2.0]}), parts / "part-0.parquet")
    pq.write_table(pa.table({"amount": ["one", "two"]}), parts / "part-1.parquet")
    (tmp_path / "serving.csv").write_text("amount\n1.0\n", encoding="utf-8")
    (tmp_path / "readiness.yaml").write_text("data:\n  reference: {path: data/reference}\n  serving: {path: serving.csv}\n", encoding="utf-8")
    (result,) = run(RunOptions(target=tmp_path, only=("DAT005",), clock=lambda: FIXED_NOW)).results
    assert result.status.value == "error"
    assert result.message.startswith("data/reference: its parts disagree on the columns or their types")
