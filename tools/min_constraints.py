"""Write pip constraints that pin each dependency to the floor declared in pyproject.toml.

pip has no "lowest versions" resolution, so ``make test-min`` installs the package with
``pip install -c <this output>``: every runtime dependency ``name>=X`` becomes ``name==X``.
A dependency without a ``>=`` floor is an error, so that none goes untested.

Usage::

    python tools/min_constraints.py [--extra NAME ...] [pyproject.toml] > constraints.txt

``--extra NAME`` pins the floors of that optional-dependency group as well (``dask``).

The test tools are not pinned to floors, but a few are held back (``HELD_BACK``) where their
newest releases turn an old floor's calls into warnings, which the suite treats as errors.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib

_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<spec>[^;]*)(?P<marker>;.*)?$"
)
_FLOOR = re.compile(r"^>=\s*(?P<version>[0-9][A-Za-z0-9.+!-]*)$")

# Held back for the floors only; drop an entry when the floor that needs it is raised.
HELD_BACK = [
    # matplotlib 3.8 and 3.9 call pyparsing's camelCase names (parseString, oneOf), which
    # pyparsing 3.3 deprecates: a DeprecationWarning at import.
    "pyparsing<3.3",
    # scikit-learn 1.6's parametrize_with_checks hands pytest a generator, which pytest 9
    # deprecates (PytestRemovedIn10Warning); scikit-learn passes a list in later releases.
    "pytest<9",
]


def floor_pins(requirements: list[str], *, own_name: str) -> list[str]:
    """Return ``name==floor`` for each requirement (skipping the project's own extras)."""
    pins = []
    for requirement in requirements:
        match = _REQUIREMENT.match(requirement)
        if match is None:
            raise ValueError(f"cannot parse requirement {requirement!r}")
        name = match["name"]
        if _normalise(name) == _normalise(own_name):
            continue
        floors = [f["version"] for clause in match["spec"].split(",")
                  if (f := _FLOOR.match(clause.strip())) is not None]
        if len(floors) != 1:
            raise ValueError(f"{requirement!r} declares no single '>=' floor to test")
        pins.append(f"{name}=={floors[0]}{match['marker'] or ''}")
    return pins


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pyproject", nargs="?", default="pyproject.toml")
    parser.add_argument("--extra", action="append", default=[],
                        help="also pin the floors of this optional-dependency group")
    args = parser.parse_args(argv)
    with open(args.pyproject, "rb") as f:
        project = tomllib.load(f)["project"]
    requirements = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in args.extra:
        if extra not in optional:
            parser.error(f"no optional-dependency group {extra!r} in {args.pyproject}")
        requirements += optional[extra]
    print(f"# Floors of {args.pyproject} (written by tools/min_constraints.py)")
    for pin in floor_pins(requirements, own_name=project["name"]):
        print(pin)
    print("# Test tools held back for the floors (see HELD_BACK in tools/min_constraints.py)")
    for pin in HELD_BACK:
        print(pin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
