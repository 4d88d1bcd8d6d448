"""Print line coverage of the Numba kernel modules from a coverage.py XML report.

Used by `make test-nojit`: with NUMBA_DISABLE_JIT=1 the kernels run as Python, so
coverage sees their bodies. Prints one line per ``*_kernels*.py`` module and a total.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def main(path: str) -> int:
    root = ET.parse(path).getroot()
    total = hit = 0
    for cls in root.iter("class"):
        name = cls.get("filename", "")
        if "_kernels" not in name:
            continue
        lines = list(cls.iter("line"))
        covered = sum(1 for line in lines if int(line.get("hits", "0")) > 0)
        total += len(lines)
        hit += covered
        print(f"kernel coverage {name}: {covered}/{len(lines)} lines")
    if total:
        print(f"kernel coverage total: {100.0 * hit / total:.1f}% ({hit}/{total} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "coverage.xml"))
