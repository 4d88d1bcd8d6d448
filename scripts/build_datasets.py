"""Build the compact data files shipped in ``multiplicity/datasets/data/``.

Reads the original files from the folder given by ``--source`` (required: the originals are
not part of the repository) and writes deterministic gzip files (``mtime=0``),
so running the script twice gives byte-identical output. The source folder holds one folder
per data set, each with the file as published (the repository, path and commit of every file
are in ``multiplicity/datasets/LICENSES/`` and in the loaders' ``DESCR``)::

    <source>/compas_binned/binned.csv
    <source>/german_credit/german-credit.csv
    <source>/dawid_skene_1979_anaesthesia/anaesthesia_long.csv
    <source>/ni2025_goemotions_disagreement/test_goe_{positive,negative,ambiguous}_{rnd,dis}.csv

The files written are:

* ``compas_binned.csv.gz``: TreeFARMS ``binned.csv`` (BSD-3-Clause), bytes unchanged.
* ``german_credit.csv.gz``: UCI Statlog German Credit ``german-credit.csv`` (CC BY 4.0),
  bytes unchanged.
* ``anaesthesia_long.csv.gz``: Dawid & Skene (1979) ratings, transcribed by Dallas Card
  (MIT), bytes unchanged.
* ``goemotions_random.csv.gz`` and ``goemotions_high_variance.csv.gz``: the six
  ``test_goe_<group>_{rnd,dis}.csv`` files of Ni et al. (2025) (data Apache-2.0, repository
  MIT) reduced to one row per (group file, item, rater) with the three sentiment-group labels,
  the "example very unclear" flag, the file's ``prob_positive`` and the full comment text.
  The 28 emotion columns and the Ekman groupings are dropped.

The COMPAS files of Marx et al. (``compas_arrest``, ``compas_violent``) are GPL-3.0 and are
never read here.

Usage::

    python scripts/build_datasets.py --source DIR [--dest multiplicity/datasets/data]
"""

from __future__ import annotations

import argparse
import ast
import gzip
import hashlib
import io
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DEST = REPO / "multiplicity" / "datasets" / "data"

# (source folder, source file, shipped name, sha256 of the published file or None)
VERBATIM = [
    (
        "compas_binned",
        "binned.csv",
        "compas_binned.csv.gz",
        "39f01416ea57adeccda31a8db7059aa90204787b8b9af24d0bb0d93d019a655c",
    ),
    (
        "german_credit",
        "german-credit.csv",
        "german_credit.csv.gz",
        "ec12a88b9fc14d74ba646ea0410cf7ff4533bec2eb61652f8ad76796bbfec017",
    ),
    ("dawid_skene_1979_anaesthesia", "anaesthesia_long.csv", "anaesthesia_long.csv.gz", None),
]

GOE_FOLDER = "ni2025_goemotions_disagreement"
GROUPS = ("positive", "negative", "ambiguous")
SUBSETS = {"random": "rnd", "high_variance": "dis"}
GOE_COLUMNS = [
    "group",
    "item",
    "rater",
    "positive",
    "negative",
    "ambiguous",
    "very_unclear",
    "prob_positive",
    "text",
]


def _gzip_bytes(payload: bytes) -> bytes:
    """Deterministic gzip: no file name, mtime 0."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    return buf.getvalue()


def _write(dest: Path, name: str, payload: bytes) -> None:
    path = dest / name
    path.write_bytes(_gzip_bytes(payload))
    print(
        f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path} "
        f"({path.stat().st_size:,} bytes, {len(payload):,} uncompressed)"
    )


def _copy_verbatim(source: Path, dest: Path) -> None:
    for folder, filename, shipped, sha in VERBATIM:
        payload = (source / folder / filename).read_bytes()
        digest = hashlib.sha256(payload).hexdigest()
        if sha is not None and digest != sha:
            raise RuntimeError(f"{folder}/{filename}: sha256 {digest}, expected {sha} "
                               "(the published file)")
        _write(dest, shipped, payload)


def _parse_list(cell: str) -> list:
    value = ast.literal_eval(cell)
    if not isinstance(value, list):
        raise ValueError(f"expected a list literal, got {cell!r}")
    return value


def _goemotions_long(raw: pd.DataFrame, group: str) -> pd.DataFrame:
    """One row per (item, rater) of one ``test_goe_<group>_*.csv`` file."""
    rows = []
    for item, rec in enumerate(raw.itertuples(index=False)):
        raters = _parse_list(rec.rater_id)
        lists = {g: _parse_list(getattr(rec, g)) for g in GROUPS}
        unclear = _parse_list(rec.example_very_unclear)
        if len(set(raters)) != len(raters):
            raise ValueError(f"{group} item {item}: repeated rater id")
        for g, values in [*lists.items(), ("example_very_unclear", unclear)]:
            if len(values) != len(raters):
                raise ValueError(f"{group} item {item}: {g} not aligned with rater_id")
        prob = float(rec.prob_positive)
        mean = float(np.mean([int(v) for v in lists[group]]))
        if not np.isclose(prob, mean, rtol=0, atol=1e-12):
            raise ValueError(f"{group} item {item}: prob_positive {prob} != label mean {mean}")
        for j, rater in enumerate(raters):
            rows.append(
                {
                    "group": group,
                    "item": item,
                    "rater": int(rater),
                    **{g: int(lists[g][j]) for g in GROUPS},
                    "very_unclear": int(unclear[j]),
                    "prob_positive": prob,
                    "text": rec.text,
                }
            )
    return pd.DataFrame(rows, columns=GOE_COLUMNS)


def _build_goemotions(source: Path, dest: Path) -> None:
    for subset, suffix in SUBSETS.items():
        parts = []
        raws = {}
        for group in GROUPS:
            raw = pd.read_csv(
                source / GOE_FOLDER / f"test_goe_{group}_{suffix}.csv",
                dtype=str,
                keep_default_na=False,
            )
            raws[group] = raw
            parts.append(_goemotions_long(raw, group))
        if subset == "random":
            # The three Random files hold the same comments, raters and labels in the same
            # order; only prob_positive (the target group) differs.
            cols = ["text", "rater_id", *GROUPS, "example_very_unclear"]
            same = all(raws[g][cols].equals(raws["positive"][cols]) for g in GROUPS)
            print(f"random: the three group files share items, raters and labels: {same}")
        table = pd.concat(parts, ignore_index=True)
        payload = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
        # Round trip as the loader reads it: text must come back unchanged.
        back = pd.read_csv(io.BytesIO(payload), dtype={"text": str}, keep_default_na=False)
        if not back["text"].tolist() == table["text"].tolist():
            raise RuntimeError(f"{subset}: text does not survive the CSV round trip")
        n_items = table.groupby("group")["item"].nunique().to_dict()
        print(f"{subset}: {len(table):,} ratings, items per group {n_items}")
        _write(dest, f"goemotions_{subset}.csv.gz", payload)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True,
                        help="folder holding the original files, one folder per data set "
                             "(see the module docstring)")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    args = parser.parse_args(argv)
    args.dest.mkdir(parents=True, exist_ok=True)
    _copy_verbatim(args.source, args.dest)
    _build_goemotions(args.source, args.dest)
    total = sum(p.stat().st_size for p in args.dest.iterdir() if p.is_file())
    print(f"total shipped data: {total:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
