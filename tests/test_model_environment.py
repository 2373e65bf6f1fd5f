"""VER008's reading of version pins beyond the rule cases: conda specs, aliases, markers, lock-file sections."""

from __future__ import annotations

from pathlib import Path

from checker.project.index import ProjectIndex
from checker.project.pins import model_environment, project_pins


def _index(tmp_path: Path, files: dict[str, str]) -> ProjectIndex:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return ProjectIndex(tmp_path, list(files))


def test_conda_specs_with_channels_build_strings_and_aliases(tmp_path: Path) -> None:
    index = _index(tmp_path, {"m/MLmodel": "run_id: x\n", "m/conda.yaml": (
        "dependencies:\n  - conda-forge::scikit-learn=1.5.2=py311h0\n  - py-xgboost==2.0.3\n  - pytorch\n"
        "  - pip:\n    - tensorflow-cpu==2.16.1\n    - -r requirements.txt\n")})  # fmt: skip
    files, pins = model_environment(index, "m/MLmodel")
    assert files == ["m/conda.yaml"]
    assert [(p.name, p.version, p.line) for p in pins] == [
        ("scikit-learn", "1.5.2", 2), ("xgboost", "2.0.3", 3), ("tensorflow", "2.16.1", 6)]


def test_project_pins_skip_ranges_dev_files_dev_sections_and_the_model_folder(tmp_path: Path) -> None:
    index = _index(tmp_path, {
        "m/MLmodel": "run_id: x\n", "m/requirements.txt": "torch==2.3.1\n",
        "requirements.txt": "# serving\nScikit_Learn[alldeps]==1.5.2 ; python_version >= '3.9'  # pinned\ntorch>=2\n-r other.txt\n",
        "requirements-test.txt": "xgboost==1.7.0\n",
        "pyproject.toml": '[project]\nname = "s"\ndependencies = ["onnx==1.16.2", "numpy>=1"]\n'
                          '[project.optional-dependencies]\ndev = ["lightgbm==4.0.0"]\ngpu = ["onnxruntime-gpu==1.19.2"]\n',
        "Pipfile.lock": '{"default": {"catboost": {"version": "==1.2.5"}}, "develop": {"keras": {"version": "==3.0.0"}}}',
        "conda-lock.yml": "package:\n  - {name: prophet, version: 1.1.5, category: main}\n  - {name: statsmodels, version: 0.14.0, category: dev}\n",
    })  # fmt: skip
    found = sorted((p.name, p.version, p.path) for p in project_pins(index))
    assert found == [("catboost", "1.2.5", "Pipfile.lock"), ("onnx", "1.16.2", "pyproject.toml"),
                     ("onnxruntime", "1.19.2", "pyproject.toml"), ("prophet", "1.1.5", "conda-lock.yml"),
                     ("scikit-learn", "1.5.2", "requirements.txt")]  # fmt: skip
