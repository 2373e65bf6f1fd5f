"""SPEC §10 *Templates*: a YAML file with template directives that nothing renders is *not evaluated
(template)* — listed in every report, read by no rule, never an input problem and never a rule `error`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from checker.config import LoadedConfig, ProjectConfig
from checker.checks.registry import default_registry
from checker.engine.changed import relevant_rules
from checker.engine.packs import load_rules
from checker.engine.run import RunOptions, run
from checker.model import RunReport, Status
from checker.project.index import ProjectIndex
from checker.project.templating import is_template_name, template_or_documents
from checker.yamlpos import load_all

FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

JINJA_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ service_name }}
spec:
  replicas: {{ replicas }}
  template:
    spec:
      containers:
        - name: api
          image: "registry.example.com/api:{{ version }}"
{% if gpu %}
          resources:
            limits: {nvidia.com/gpu: 1}
{% endif %}
"""
PLAIN_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.0.0
"""
ALERTS = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: alerts}
spec:
  groups:
    - name: api
      rules:
        - alert: ApiDown
          expr: up{job="api"} == 0
          labels: {severity: page}
          annotations:
            summary: "{{ $labels.instance }} is down"
            description: |
              {{ if gt $value 0.0 }}{{ $value | humanize }} targets{{ end }} down for 5 minutes
"""


@pytest.mark.parametrize(
    ("text", "template"),
    [
        ("image: {{ .Values.image }}\n", True),  # Helm outside a chart
        ('image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n', True),  # quoted, still rendered
        ("{{- if .Values.enabled }}\nkind: Service\n{{- end }}\n", True),
        ("{% for x in items %}\n- {{ x }}\n{% endfor %}\n", True),  # Jinja
        ("name: {{ cookiecutter.project_slug }}\n", True),
        ('summary: "{{ $labels.instance }} down"\n', False),  # Prometheus alert text
        ("text: '{{ .CommonLabels.alertname }}'\n", False),  # Alertmanager
        ("description: |\n  {{ if gt $value 1.0 }}high{{ end }}\n", False),
        ("run: echo ${{ secrets.TOKEN }}\n", False),  # GitHub Actions expressions
        ("# override with {{ .Values.x }}\nkind: Service\n", False),  # a comment
        ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nargs: ['{{inputs.parameters.x}}']\n", False),
        ("apiVersion: serving.kserve.io/v1alpha1\nkind: ServingRuntime\nargs: ['--model_name={{.Name}}']\n", False),
        ("apiVersion: serving.kserve.io/v1alpha1\nkind: ServingRuntime\nargs: ['{{ index .Labels \"app\" }}']\n", False),
        # A Helm-templated KServe resource outside a chart's templates/ (kserve/kserve's charts/_common/):
        ('apiVersion: "serving.kserve.io/v1alpha1"\nkind: ClusterStorageContainer\n'
         'spec: {container: {image: "{{ .Values.kserve.storage.image }}"}}\n', True),
        ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n{% if x %}\n", True),  # Jinja is never run-time text
        ("kind: ConfigMap\ndata:\n  domainTemplate: '{{ .Name }}.{{ .Namespace }}.{{ .IngressDomain }}'\n", False),
        ("spec:\n  template: |\n    {{ if .GlobalConfig.EnableTLS }}tls: true{{ end }}\n", False),  # a block scalar
        ('name: "{{ .Release.Name }}-api"\n', True),  # parses, but only Helm fills it in
        ("key: value\nbraces: {a: {b: 1}}\n", False),
    ],
)
def test_what_counts_as_a_template(text: str, template: bool) -> None:
    assert template_or_documents(text, load_all)[0] is template


def test_templates_by_name() -> None:
    assert is_template_name("deploy/job.yaml.j2") and is_template_name("k8s/values.yml.tpl")
    assert not is_template_name("templates/_helpers.tpl") and not is_template_name("deploy/job.yaml")


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _run(root: Path, *only: str) -> RunReport:
    return run(RunOptions(target=root, only=only, clock=lambda: FIXED_NOW, isolate=False))


def test_templated_yaml_outside_a_chart_is_not_evaluated_and_never_an_error(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"deploy/deployment.yaml": JINJA_DEPLOYMENT, "deploy/ok.yaml": PLAIN_DEPLOYMENT,
                            "deploy/alerts.yaml": ALERTS})  # fmt: skip
    report = _run(root, "scalability", "reliability", "monitoring", "security")
    assert [r.rule_id for r in report.results if r.status == Status.ERROR] == []
    assert report.input_problems == ()
    assert [(n.path, n.reason) for n in report.coverage.not_evaluated] == [("deploy/deployment.yaml", "template")]
    assert not [f for r in report.results for f in r.findings if f.path == "deploy/deployment.yaml"]
    by_id = {r.rule_id: r for r in report.results}
    assert by_id["REL001"].message == "1 serving workloads checked"  # deploy/ok.yaml only
    assert by_id["MON002"].status == Status.PASS  # the alert text's `{{ $labels … }}` is Prometheus's own


def test_chart_templates_are_listed_and_chart_values_are_data(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 1.0.0\n",
        "charts/api/values.yaml": 'podAnnotations: {release: "{{ .Release.Name }}"}\n',
        "charts/api/templates/deployment.yaml": "kind: Deployment\nmetadata: {name: {{ .Release.Name }}}\n",
        "charts/api/templates/static-configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api}\n",
        "charts/api/templates/_helpers.tpl": '{{- define "api.name" -}}api{{- end }}\n',
    })  # fmt: skip
    index = ProjectIndex.build(root)
    assert [n.path for n in index.not_evaluated] == [
        "charts/api/templates/deployment.yaml", "charts/api/templates/static-configmap.yaml"
    ]
    assert index.yaml("charts/api/values.yaml") != []


def test_an_unreadable_yaml_file_is_not_recorded_by_the_template_check(tmp_path: Path) -> None:
    """Deciding what a file is reads it without recording a problem: only a rule that needs it does."""
    root = _tree(tmp_path, {"k8s/ok.yaml": PLAIN_DEPLOYMENT})
    (root / "k8s" / "latin1.yaml").write_bytes("kind: ConfigMap\nnote: Grüße\n".encode("latin-1"))
    index = ProjectIndex.build(root)
    assert index.not_evaluated == () and index.problems == []
    assert _run(root, "REL001").results[0].status == Status.ERROR  # a manifest rule still fails closed


def test_a_staged_template_reruns_the_kubernetes_rules(tmp_path: Path) -> None:
    """It may have been a manifest before the edit that made it a template: its workloads are gone."""
    root = _tree(tmp_path, {"deploy/deployment.yaml": JINJA_DEPLOYMENT})
    loaded = LoadedConfig(ProjectConfig())
    rules = load_rules(root, loaded, (), default_registry())
    staged = relevant_rules(rules, ["deploy/deployment.yaml"], ProjectIndex.build(root), default_registry(), loaded)
    assert {"REL001", "REL006", "SCA001"} <= {r.id for r in staged}
