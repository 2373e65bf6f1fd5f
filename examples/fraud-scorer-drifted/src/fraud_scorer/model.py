"""Loading and calling the ONNX fraud model.

The model is a scikit-learn pipeline (one-hot encoding + gradient boosting) exported with
skl2onnx. Every feature is a separate ONNX input of shape [N, 1]; the classifier's
``probabilities`` output is an [N, 2] float tensor (ZipMap disabled at export time).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from .schemas import PredictionRequest

logger = logging.getLogger(__name__)

# Model inputs, in signature order, with the dtype the ONNX graph expects.
FEATURES: tuple[tuple[str, type], ...] = (
    ("amount", np.float32),
    ("merchant_category", np.str_),
    ("country", np.str_),
    ("device", np.str_),
    ("hour_of_day", np.int64),
    ("customer_age_days", np.int64),
    ("num_tx_24h", np.int64),
    ("avg_amount_30d", np.float32),
)

_ONNX_TYPES = {np.float32: "tensor(float)", np.int64: "tensor(int64)", np.str_: "tensor(string)"}
_PROBABILITIES = "probabilities"


class ModelLoadError(RuntimeError):
    """The model file is missing or does not match the expected signature."""


@dataclass(frozen=True)
class ModelMetadata:
    name: str
    version: str
    run_id: str | None


class FraudModel:
    """Thread-safe wrapper around an onnxruntime inference session."""

    def __init__(self, session: ort.InferenceSession, metadata: ModelMetadata) -> None:
        self._session = session
        self.metadata = metadata

    @classmethod
    def load(cls, path: Path, intra_op_threads: int = 1) -> FraudModel:
        if not path.is_file():
            raise ModelLoadError(f"model file not found: {path}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = intra_op_threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            session = ort.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises several unrelated exception types
            raise ModelLoadError(f"cannot load {path}: {exc}") from exc

        _check_signature(session)
        meta = session.get_modelmeta()
        custom = meta.custom_metadata_map
        metadata = ModelMetadata(
            name=meta.graph_name or "fraud-scorer",
            version=custom.get("model_version", str(meta.version)),
            run_id=custom.get("mlflow_run_id"),
        )
        logger.info(
            "model loaded",
            extra={"model_path": str(path), "model_version": metadata.version,
                   "run_id": metadata.run_id},
        )
        return cls(session, metadata)

    def input_types(self) -> list[tuple[str, str]]:
        return [(node.name, node.type) for node in self._session.get_inputs()]

    def predict_proba(self, rows: Sequence[PredictionRequest]) -> np.ndarray:
        """Return the fraud probability of each row."""
        if not rows:
            return np.empty(0, dtype=np.float32)
        feeds = {
            name: np.asarray(
                [[_feature_value(row, name)] for row in rows],
                dtype=object if dtype is np.str_ else dtype,
            )
            for name, dtype in FEATURES
        }
        (probabilities,) = self._session.run([_PROBABILITIES], feeds)
        return np.asarray(probabilities, dtype=np.float32)[:, 1]


def _feature_value(row: PredictionRequest, name: str) -> object:
    value = getattr(row, name)
    return value.value if hasattr(value, "value") else value


def _check_signature(session: ort.InferenceSession) -> None:
    actual = {node.name: node.type for node in session.get_inputs()}
    expected = {name: _ONNX_TYPES[dtype] for name, dtype in FEATURES}
    if actual != expected:
        raise ModelLoadError(f"unexpected model inputs: {actual} (expected {expected})")
    outputs = {node.name for node in session.get_outputs()}
    if _PROBABILITIES not in outputs:
        raise ModelLoadError(f"model has no '{_PROBABILITIES}' output: {sorted(outputs)}")
