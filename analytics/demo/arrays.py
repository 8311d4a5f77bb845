"""Vectorised helpers: group ranks and sums over numpy arrays, weighted draws without
replacement, and the pyarrow string arrays the tables are built from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa


def group_starts(g_sorted: np.ndarray) -> np.ndarray:
    """For each element of a sorted group array, the index where its group starts."""
    n = len(g_sorted)
    new = np.ones(n, dtype=bool)
    if n > 1:
        new[1:] = g_sorted[1:] != g_sorted[:-1]
    starts = np.flatnonzero(new)
    return np.repeat(starts, np.diff(np.append(starts, n)))


def rank_in_group(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """0-based rank of each element by ``key`` within its ``group``."""
    order = np.lexsort((key, group))
    start = group_starts(group[order])
    rank = np.empty(len(group), dtype=np.int64)
    rank[order] = np.arange(len(group)) - start
    return rank


def cumsum_in_group(group: np.ndarray, key: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sum of ``vals`` in ``key`` order within each ``group``."""
    order = np.lexsort((key, group))
    v = vals[order].astype(np.float64)
    cs = np.cumsum(v)
    start = group_starts(group[order])
    before = (cs - v)[start]
    out = np.empty(len(group), dtype=np.float64)
    out[order] = cs - before
    return out


def pick_top(rng, mask: np.ndarray, n: int, weight: np.ndarray | None = None) -> np.ndarray:
    """Indices of ``n`` elements of ``mask`` drawn without replacement (optionally weighted)."""
    idx = np.flatnonzero(mask)
    if n <= 0 or len(idx) == 0:
        return idx[:0]
    key = rng.gumbel(size=len(idx))
    if weight is not None:
        key = key + np.log(np.maximum(weight[idx], 1e-12))
    return idx[np.argsort(-key, kind="stable")[:n]]


def str_array(values) -> pd.arrays.ArrowStringArray:
    """A pyarrow array/ChunkedArray as a pandas ``str`` extension array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if values.type != pa.large_string():
        values = values.cast(pa.large_string())
    return pd.array(values, dtype="str")


def take_str(pool: list[str | None], idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """``pool[idx]`` as a pyarrow large_string array, null where ``null`` is true."""
    arr = pa.array(pool, type=pa.large_string())
    ind = pa.array(idx.astype(np.int32), mask=null) if null is not None else pa.array(
        idx.astype(np.int32))
    return arr.take(ind)


def large_str(text: str) -> pa.Scalar:
    """A pyarrow large_string scalar (a separator or prefix for binary_join_element_wise)."""
    return pa.scalar(text, type=pa.large_string())


def int_str(values: np.ndarray) -> pa.Array:
    """Integers as their decimal strings (a pyarrow large_string array): codes and IDs."""
    return pa.array(values.astype(np.int64)).cast(pa.large_string())


