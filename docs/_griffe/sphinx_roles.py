"""Griffe extension for the API reference: render Sphinx roles as inline code.

The docstrings follow the numpydoc style of the scikit-learn ecosystem and use Sphinx
roles (``:func:`ambiguity```, ``:class:`~sklearn.linear_model.LogisticRegression```,
``:ref:`text <target>```). mkdocstrings does not interpret them, so they would show up
verbatim; this extension rewrites them, before rendering, to the name as inline code
(the last component for ``~`` targets, the text for ``:ref:``). Loaded from mkdocs.yml.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|attr|mod|data|obj|exc|const|term):`([^`]+)`")
_REF = re.compile(r":(?:ref|doc):`([^`<]+?)\s*(?:<[^`>]*>)?`")


def _name(match: re.Match[str]) -> str:
    target = match.group(1).strip()
    if target.startswith("~"):
        target = target[1:].rsplit(".", 1)[-1]
    return f"`{target}`"


def rewrite(text: str) -> str:
    """Sphinx roles in ``text`` as Markdown inline code."""
    text = _REF.sub(lambda m: m.group(1).strip(), text)
    return _ROLE.sub(_name, text)


class SphinxRoles(griffe.Extension):
    """Rewrite the Sphinx roles of every docstring (see the module docstring)."""

    def on_instance(self, *, node: Any, obj: griffe.Object, agent: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value)
