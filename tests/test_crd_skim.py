"""CRD documents are parsed without their schemas (checker.project.crd), everything else exactly as written."""

from __future__ import annotations

from checker.project.crd import load_all, skim
from checker.yamlpos import load_all as load_as_written

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
  labels:
    app: widgets
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        description: |
          A widget.

          ---
        properties:
          spec:
            type: object
    served: true
  - name: v2
    served: false
status:
  acceptedNames:
    kind: ""
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  versions:
  - keep me
"""


def test_a_crd_keeps_its_metadata_names_and_positions_but_not_its_schema() -> None:
    text = f"{DEPLOYMENT}---\n{CRD}"
    skimmed = skim(text)
    assert len(skimmed.splitlines()) == len(text.splitlines())
    deployment, crd = load_all(text)
    written = load_as_written(text)
    assert deployment == written[0] and deployment.key_pos == written[0].key_pos
    assert crd["metadata"] == written[1]["metadata"] and crd["metadata"].key_pos == written[1]["metadata"].key_pos
    assert crd["spec"]["versions"] == [] and crd["spec"]["names"] == {"kind": "Widget", "plural": "widgets"}
    assert crd["status"] == written[1]["status"] and crd.key_pos["status"] == written[1].key_pos["status"]


def test_text_without_a_crd_is_returned_as_is() -> None:
    assert skim(DEPLOYMENT) is DEPLOYMENT
    lookalike = DEPLOYMENT.replace("Deployment", "Deployment  # not a CustomResourceDefinition")
    assert skim(lookalike) is lookalike


def test_a_v1beta1_validation_block_is_skimmed_too() -> None:
    text = CRD.replace("apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1").replace(
        "  versions:\n", "  validation:\n    openAPIV3Schema:\n      type: object\n  versions:\n"
    )
    (crd,) = load_all(text)
    assert crd["spec"]["validation"] == {} and crd["spec"]["versions"] == []


def test_a_skimmed_text_that_does_not_load_is_loaded_as_written() -> None:
    # An anchor defined in the schema and used outside it: skimming would leave the alias dangling.
    text = CRD.replace("type: object", "type: &t object").replace('kind: ""', "kind: *t")
    (crd,) = load_all(text)
    assert crd["status"]["acceptedNames"]["kind"] == "object"
    assert crd == load_as_written(text)[0]


def test_a_flow_style_spec_is_left_alone() -> None:
    text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {versions: [a]}\n"
    assert skim(text) is text
