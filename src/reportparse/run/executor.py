"""What the batch asks of an executor: run the per-file task (``onefile.process_one``) on each
item of a to-do list and say how each ended. The batch decides what to parse (skip by hash,
retries, the failed-row rule); an executor only decides where and how: the local process
pool (``pool.LocalPool``) or a Dask cluster (``cluster.DaskCluster``).
"""
from __future__ import annotations

from typing import Callable, Protocol

Task = tuple[str, str, dict]  # (path, doc_id, the documents columns the batch fills: paths, attempts)
Record = Callable[[str, dict], None]  # record(path, summary) as each file finishes
Died = Callable[[Task, str], dict]  # writes the failed row of a task whose process hung or died, returns its summary


class Executor(Protocol):
    def run(self, todo: list[Task], record: Record, died: Died) -> None:
        """Parse every task, calling ``record`` once per task; a task whose process hung or
        died is passed to ``died`` and its summary recorded. Raises CannotRun when the
        executor cannot go on at all (workers cannot start, the output cannot be written)."""
