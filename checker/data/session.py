"""Per run: each configured dataset is read once, on first use, and shared by every data rule."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.data.frame import Frame
from checker.data.preflight import DataLimits
from checker.data.progress import working
from checker.data.sources import DatasetError, resolve

if TYPE_CHECKING:
    from checker.checks.base import CheckContext
    from checker.config import DatasetConfig


class DataSession:
    def __init__(self, root: Path, engine: str, limits: DataLimits) -> None:
        self.root = root
        self.engine = engine
        self.limits = limits
        self._frames: dict[str, Frame | Exception] = {}
        self._lock = threading.Lock()
        self.gx_context: Any = None  # one ephemeral GX context per run, made by the first suite

    @staticmethod
    def of(ctx: CheckContext) -> DataSession:
        engine, limits = ctx.config.data.engine, DataLimits.of(ctx.config.limits)
        return ctx.index.derived(f"data.session.{engine}", lambda index: DataSession(index.root, engine, limits))  # type: ignore[no-any-return]

    def frame(self, dataset: DatasetConfig) -> Frame:
        """The loaded dataset; raises DatasetError (or SparkUnavailable) every time it is asked for."""
        with self._lock:
            if dataset.path not in self._frames:
                self._frames[dataset.path] = self._load(dataset.path)
        found = self._frames[dataset.path]
        if isinstance(found, Exception):
            raise found
        return found

    def _load(self, configured: str) -> Frame | Exception:
        from checker.data.spark_engine import SparkUnavailable

        try:
            files = resolve(self.root, configured)
            with working(f"reading {configured}"):
                frame = self._engine_load(files)
        except (DatasetError, SparkUnavailable) as exc:
            return exc
        if frame.rows == 0:
            return DatasetError(configured, "the dataset is empty (no rows)")
        return frame

    def _engine_load(self, files: Any) -> Frame:
        if self.engine == "spark":
            from checker.data import spark_engine

            return spark_engine.load(self.root, files, self.limits)
        from checker.data import arrow_engine

        return arrow_engine.load(self.root, files, self.limits)
