"""Every public function of multiplicity.metrics has a numpydoc docstring with an example."""

from __future__ import annotations

import inspect

import pytest

import multiplicity.datasets as datasets
import multiplicity.metrics as metrics

PUBLIC = [(mod, name) for mod in (metrics, datasets) for name in mod.__all__]
SECTIONS = ("Parameters\n    ----------", "Returns\n    -------", "Examples\n    --------")


@pytest.mark.parametrize(("mod", "name"), PUBLIC, ids=[n for _, n in PUBLIC])
def test_numpydoc_sections(mod, name):
    func = getattr(mod, name)
    doc = func.__doc__ or ""
    for section in SECTIONS:
        if section.startswith("Parameters") and not inspect.signature(func).parameters:
            continue
        assert section in doc, f"{name} lacks {section.split()[0]}"
    assert ">>> " in doc


@pytest.mark.parametrize(("mod", "name"), PUBLIC, ids=[n for _, n in PUBLIC])
def test_every_parameter_is_documented(mod, name):
    func = getattr(mod, name)
    doc = func.__doc__ or ""
    for param in inspect.signature(func).parameters:
        assert f"{param} :" in doc or f"{param}," in doc, f"{name}: {param} undocumented"
