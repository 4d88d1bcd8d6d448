"""Messages of the command line: the ``UserError`` a command reports as one line, and the
translation of the Python API's messages into the flags of the sub-command that was run
(``FLAGS``, :func:`cli_message`)."""

from __future__ import annotations

import re
import shlex


class UserError(Exception):
    """A mistake in the user's files or arguments: reported as one line, no traceback."""


# Keywords of the Python API -> the flag of each sub-command that sets them; the API's
# messages are translated with the table of the sub-command that was run (cli_message).
_ANNOTATION_FLAGS = {"item": "--item", "annotator": "--annotator", "label": "--label",
                     "duplicates": "--duplicates", "random_state": "--random-state",
                     "categories": "--categories"}
FLAGS: dict[str, dict[str, str]] = {
    "audit": {"sensitive_features": "--sensitive", "annotations": "--annotations",
              "epsilon": "--epsilon", "n_models": "--n-models",
              "random_state": "--random-state", "exact": "--exact", "subject": "--subject",
              "n_jobs": "--n-jobs", "delta": "--delta", "threshold": "--threshold",
              "task": "--task"},
    "agreement": {**_ANNOTATION_FLAGS, "level": "--level", "ci": "--ci",
                  "n_resamples": "--n-resamples", "weights": "--weights",
                  "on_undefined": "--on-undefined"},
    "aggregate": {**_ANNOTATION_FLAGS, "true_labels": "--gold"},
    "judge": {**_ANNOTATION_FLAGS, "epsilon": "--epsilon", "alpha": "--alpha",
              "scoring": "--scoring", "min_items": "--min-items",
              "coefficient": "--coefficient", "n_resamples": "--n-resamples",
              "level": "--level"},
    "profile": {**_ANNOTATION_FLAGS, "annotator_groups": "--groups",
                "smoothing": "--smoothing"},
    "demo": {"epsilon": "--epsilon", "n_models": "--n-models",
             "random_state": "--random-state", "n_jobs": "--n-jobs", "exact": "--exact"},
}
_QUOTED = r"'[^']*'|\"[^\"]*\""
_VALUE = rf"(?:{_QUOTED}|[\w.+-]+)"
_MORE = rf"(?:(?:,\s*(?:or\s+)?|\s+or\s+)(?:{_QUOTED}))*"


def _cli_values(text: str) -> str:
    """``'first', 'last' or 'keep'`` -> ``first, last or keep``; None -> none."""
    def one(m: re.Match) -> str:
        v = m.group(0)
        return shlex.quote(v[1:-1] if v[:1] in "'\"" else ("none" if v == "None" else v))

    return re.sub(rf"{_QUOTED}|[\w.+-]+", one, text)


def cli_message(message: str, flags: dict[str, str]) -> str:
    """An API message in the words of the command line: ``pass duplicates='first'`` ->
    ``pass --duplicates first``.

    ``keyword=value`` (and ``keyword='a', 'b' or 'c'``) becomes ``--flag value``; a keyword
    with an underscore (``n_models``) is translated wherever it stands as a word, one
    without only as the subject of "... must" that opens a sentence. Other words are left
    alone, so that "label" in prose stays "label".
    """
    for keyword, flag in flags.items():
        k = re.escape(keyword)
        message = re.sub(
            rf"(?<![\w.]){k}=({_VALUE}{_MORE})?",
            lambda m, flag=flag: flag + (" " + _cli_values(m.group(1)) if m.group(1) else ""),
            message)
        if "_" in keyword:
            message = re.sub(rf"(?<![\w.'\"-]){k}(?![\w'\"(])", flag, message)
        else:  # "epsilon must be >= 0": the subject of a sentence
            message = re.sub(rf"(?:^|(?<=; )){k}(?= must\b)", flag, message)
    return message


def _api_call(command: str, func, *args, **kwargs):
    """Call the API on user data; its ValueError/TypeError are user mistakes, reported in
    the flags of ``command``."""
    try:
        return func(*args, **kwargs)
    except (ValueError, TypeError) as e:
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UserError(cli_message(message, FLAGS[command])) from None
