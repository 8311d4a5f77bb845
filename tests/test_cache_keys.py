"""The data layer's cache registry (ui/data.py): one key per function, named by module and
qualified name, so functions called alike in two modules never answer for each other."""

from __future__ import annotations

import types

import pytest

from ui import data


def _module_with(name: str, answer: str) -> types.FunctionType:
    module = types.ModuleType(name)
    exec("def counts(store):\n    return " + repr(answer), module.__dict__)  # noqa: S102
    return module.counts


def test_two_functions_of_one_name_in_two_modules_get_two_keys():
    first, second = _module_with("tests_cache_a", "a"), _module_with("tests_cache_b", "b")
    data._cached(first)
    data._cached(second)
    assert data._FUNCTIONS["tests_cache_a.counts"] is first
    assert data._FUNCTIONS["tests_cache_b.counts"] is second
    assert data._FUNCTIONS["tests_cache_a.counts"](None) == "a"


def test_a_second_function_under_a_taken_key_is_refused():
    data._cached(_module_with("tests_cache_c", "c"))
    with pytest.raises(ValueError, match="tests_cache_c.counts"):
        data._cached(_module_with("tests_cache_c", "other"))


def test_every_registered_function_is_keyed_by_its_module():
    assert data._FUNCTIONS, "the data layer registers its cached functions at import"
    for key, func in data._FUNCTIONS.items():
        assert key == f"{func.__module__}.{func.__qualname__}"
