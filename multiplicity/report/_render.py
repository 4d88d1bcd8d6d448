"""HTML and Markdown renderings of an AuditReport (text is escaped; figures are PNG)."""

from __future__ import annotations

import base64
import math
import re
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ._report import AuditReport

# One inline style sheet: no fonts, scripts or images are fetched from anywhere.
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       max-width: 62rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5;
       color: #1a1a1a; background: #fff; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #ddd; padding-bottom: .2rem;
     margin-top: 2.2rem; }
nav ol { columns: 2; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
th, td { border: 1px solid #ccc; padding: .25rem .55rem; text-align: right; }
th[scope=row], thead th:first-child { text-align: left; }
thead th { background: #f2f2f2; }
td.text { text-align: left; }
figure { margin: 1rem 0; }
.scroll { overflow-x: auto; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: .9rem; color: #444; }
.status { display: inline-block; font-size: .8rem; padding: 0 .4rem; border-radius: .3rem;
          background: #fff3cd; color: #664d03; margin-left: .4rem; vertical-align: middle; }
.lead { font-size: 1.05rem; }
footer { margin-top: 3rem; font-size: .8rem; color: #555; border-top: 1px solid #ddd; }
code, pre { background: #f6f8fa; }
pre { padding: .6rem; overflow-x: auto; }
@media print { nav { display: none; } }
"""


def fmt(value: Any) -> str:
    """A table cell as text: floats to 4 decimals (scientific below 1e-3), NaN as "-"."""
    if value is None or value is pd.NA:
        return "-"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        v = float(value)
        if not math.isfinite(v):
            return "-"
        if v != 0 and abs(v) < 1e-3:
            return f"{v:.2e}"
        return f"{v:.4f}"
    return str(value)


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def for_display(df: pd.DataFrame) -> pd.DataFrame:
    """Wide tables with few rows (the by-group tables) are shown transposed, so that they
    fit a page: one row per measure, one column per group."""
    if df.shape[1] > 7 and df.shape[0] < df.shape[1]:
        out = df.astype(object).T
        out.index.name = "measure"
        out.columns = [str(c) for c in out.columns]
        return out
    return df


def _html_table(caption: str, df: pd.DataFrame) -> str:
    df = for_display(df)
    index_name = df.index.name or ""
    head = "".join(f"<th scope=\"col\">{escape(str(c))}</th>" for c in df.columns)
    rows = []
    for idx, row in zip(df.index, df.itertuples(index=False, name=None), strict=True):
        cells = "".join(
            f"<td class=\"text\">{escape(fmt(v))}</td>" if _is_text(v)
            else f"<td>{escape(fmt(v))}</td>" for v in row)
        rows.append(f"<tr><th scope=\"row\">{escape(str(idx))}</th>{cells}</tr>")
    return (f"<div class=\"scroll\"><table>\n<caption>{escape(caption)}</caption>\n"
            f"<thead><tr><th scope=\"col\">{escape(str(index_name))}</th>{head}</tr></thead>\n"
            "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table></div>")


def html(report: AuditReport) -> str:
    """The report as one HTML5 page (inline CSS, base64 PNG figures, no scripts)."""
    parts = [
        "<!DOCTYPE html>",
        "<html lang=\"en\">",
        "<head>",
        "<meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        f"<meta name=\"generator\" content=\"multiplicity {escape(report.version)}\">",
        f"<title>{escape(report.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(report.title)}</h1>",
        f"<p class=\"lead\">{escape(_lead(report))}</p>",
        "</header>",
        "<nav aria-label=\"Contents\"><h2 id=\"contents\">Contents</h2><ol>",
    ]
    parts += [f"<li><a href=\"#{escape(s.id)}\">{escape(s.title)}</a></li>"
              for s in report.sections]
    parts.append("</ol></nav>")
    parts.append("<main>")
    for sec in report.sections:
        badge = ("" if sec.status == "done"
                 else f"<span class=\"status\">{escape(sec.status)}</span>")
        parts.append(f"<section id=\"{escape(sec.id)}\" aria-labelledby=\"{escape(sec.id)}-h\">")
        parts.append(f"<h2 id=\"{escape(sec.id)}-h\">{escape(sec.title)}{badge}</h2>")
        for para in sec.paragraphs:
            if para.startswith("```"):
                code = "\n".join(para.split("\n")[1:-1])  # drop the ``` fences
                parts.append(f"<pre><code>{escape(code)}</code></pre>")
            else:
                parts.append(f"<p>{escape(para)}</p>")
        for caption, df in sec.tables.values():
            parts.append(_html_table(caption, df))
        for fig in sec.figures:
            data = base64.b64encode(fig.png).decode("ascii")
            parts.append(f"<figure id=\"fig-{escape(fig.name)}\">"
                         f"<img src=\"data:image/png;base64,{data}\" alt=\"{escape(fig.caption)}\">"
                         f"<figcaption>{escape(fig.caption)}</figcaption></figure>")
        parts.append("</section>")
    parts.append("</main>")
    parts.append(f"<footer><p>Generated {escape(report.created)} by multiplicity "
                 f"{escape(report.version)}.</p></footer>")
    parts.append("</body>")
    parts.append("</html>")
    return "\n".join(parts) + "\n"


def _lead(report: AuditReport) -> str:
    if report.lead is not None:
        return report.lead
    d = report.data
    return (f"{d['n_samples']:,} {report.subject}, {d['n_features']} features; "
            f"model: {report.parameters['estimator']['name']}; "
            f"epsilon = {report.parameters['epsilon']:g}; "
            f"{report.parameters['n_models']} models retrained; "
            f"random_state = {report.parameters['random_state']}.")


# Characters that start Markdown syntax anywhere in a line: backslash escapes keep them
# literal in CommonMark, GitHub and Python-Markdown alike ("_" only where it could open or
# close emphasis: CommonMark never reads an underscore between two letters or digits so).
_MD_INLINE = re.compile(r"[\\`*\[\]|]|(?<![^\W_])_|_(?![^\W_])")
# What starts a block at the beginning of a line: a heading, a list item, a quote (">" is
# already "&gt;") or an ordered list number ("1." / "1)").
_MD_BLOCK = re.compile(r"^(#|[-+]|\d+(?=[.)]))")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def md_text(text: Any, *, block: bool = False) -> str:
    """``text`` as literal Markdown: one line, no HTML, no emphasis, links or table cells.

    HTML special characters become entities (as in :func:`html`), Markdown syntax is
    backslash-escaped, and line breaks become spaces, so data strings (group labels,
    column names, titles) print as written and cannot add markup. ``block=True`` is for
    text that starts a line (a paragraph): what would open a heading, list or quote there
    is escaped too.
    """
    s = _NEWLINES.sub(" ", str(text))
    s = _MD_INLINE.sub(lambda m: "\\" + m.group(0), escape(s, quote=False))
    if not block:
        return s
    return _MD_BLOCK.sub(lambda m: m.group(0) + "\\" if m.group(0)[0].isdigit()
                         else "\\" + m.group(0), s.lstrip(), count=1)


def _md_code(para: str) -> list[str]:
    """A code paragraph (```lang ... ```) as an indented code block.

    Indentation, unlike a fence, is code in every Markdown dialect (Python-Markdown reads
    fences only with an extension), and no line of the code can end it.
    """
    lines = para.split("\n")
    code = lines[1:-1] if len(lines) > 1 and lines[-1].strip() == "```" else lines[1:]
    return [("    " + line).rstrip() for line in code]


def _md_table(caption: str, df: pd.DataFrame) -> str:
    df = for_display(df)
    cols = [df.index.name or ""] + [str(c) for c in df.columns]
    lines = [f"**{md_text(str(caption).strip())}**", "",
             "| " + " | ".join(md_text(c) for c in cols) + " |",
             "|" + "|".join([":---"] + ["---:"] * len(df.columns)) + "|"]
    for idx, row in zip(df.index, df.itertuples(index=False, name=None), strict=True):
        cells = [md_text(idx)] + [md_text(fmt(v)) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(report: AuditReport, files: dict[str, str]) -> str:
    """The report as Markdown; ``files`` maps figure names to PNG file names.

    Every text is escaped with :func:`md_text` (tables, captions, paragraphs, titles, alt
    text), code paragraphs become indented code blocks, and figure file names are
    percent-encoded.
    """
    out = [f"# {md_text(report.title)}", "", md_text(_lead(report), block=True), "",
           "## Contents", ""]
    out += [f"{i}. [{md_text(s.title)}](#{quote(s.id)})"
            for i, s in enumerate(report.sections, 1)]
    for sec in report.sections:
        status = "" if sec.status == "done" else f" ({md_text(sec.status)})"
        out += ["", f"<a id=\"{escape(sec.id)}\"></a>", "",
                f"## {md_text(sec.title)}{status}", ""]
        for para in sec.paragraphs:
            out += [*(_md_code(para) if para.startswith("```")
                      else [md_text(para, block=True)]), ""]
        for caption, df in sec.tables.values():
            out += [_md_table(caption, df), ""]
        for fig in sec.figures:
            caption = md_text(str(fig.caption).strip())
            out += [f"![{caption}]({quote(files[fig.name])})", "", f"*{caption}*", ""]
    out += ["---", "", md_text(f"Generated {report.created} by multiplicity "
                               f"{report.version}.", block=True), ""]
    return "\n".join(out)
