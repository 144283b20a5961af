"""Where per-series work runs: this process, a local process pool, or a Dask cluster.

Series are independent, so a run is cut into chunks and each chunk is one task. With
``SUPPLYMESH_DASK_ADDRESS`` set the chunks go to that Dask scheduler (``distributed`` is
imported only then); otherwise a process pool of this machine's cores takes them, and small
runs stay in this process where starting workers would cost more than it saves.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

IN_PROCESS_BELOW = 8  # series; fewer stay in this process


def describe(dask_address: str | None, workers: int | None, tasks: int) -> str:
    """Which executor `run_chunks` will use for `tasks` items: local, pool or dask."""
    if dask_address:
        return "dask"
    if _pool_size(workers, tasks) > 1:
        return "pool"
    return "local"


def _pool_size(workers: int | None, tasks: int) -> int:
    if workers is None:
        workers = os.cpu_count() or 1
        if tasks < IN_PROCESS_BELOW:
            return 1
    return max(1, min(workers, tasks))


def chunked(items: Sequence[T], parts: int) -> list[list[T]]:
    """Split into at most `parts` chunks of nearly equal size, keeping order."""
    parts = max(1, min(parts, len(items)))
    size = -(-len(items) // parts) if items else 1
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def run_chunks(
    fn: Callable[[list[T]], list[R]],
    items: Sequence[T],
    dask_address: str | None = None,
    workers: int | None = None,
) -> list[R]:
    """`fn` over chunks of `items`, results concatenated in the items' order.

    `fn` must be a module-level function (it is pickled to the workers).
    """
    if not items:
        return []
    if dask_address:
        return _on_dask(fn, items, dask_address)
    size = _pool_size(workers, len(items))
    if size <= 1:
        return fn(list(items))
    chunks = chunked(items, size * 2)
    with ProcessPoolExecutor(max_workers=size) as pool:
        parts = list(pool.map(fn, chunks))
    return [r for part in parts for r in part]


def _on_dask(fn: Callable[[list[T]], list[R]], items: Sequence[T], address: str) -> list[R]:
    import distributed  # lazy: only runs that use a cluster pay for it

    make: Any = distributed.Client
    client: Any = make(address, set_as_default=False, timeout=30)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        chunks = chunked(items, workers * 2)
        futures = client.map(fn, chunks, pure=False)
        parts: list[list[R]] = client.gather(futures)
    finally:
        client.close()
    return [r for part in parts for r in part]
