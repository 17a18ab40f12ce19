"""Collect the UI strings and compile the Japanese catalogue.

1. pyside6-lupdate over rnnviz/ui/*.py -> resources/i18n/rnnviz_ja.ts (-no-obsolete, no source
   locations: line numbers would change the file on every edit);
2. every message is filled from the glossaries resources/i18n/ja/*.json ({"English": "日本語"}),
   one file per group of modules so that several people can translate at once; a source found
   in no glossary stays unfinished and is listed on stdout;
3. pyside6-lrelease -> resources/i18n/rnnviz_ja.qm (the app loads it; commit both files).

Run: ``python scripts/update_translations.py`` (or ``make translations``). The Qt tools are
looked up beside the running Python, then in .venv/bin, then on PATH (override: VENV_BIN).
Exit status 1 when two glossaries disagree on a source or a tool fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "resources" / "i18n"
TS = I18N / "rnnviz_ja.ts"
QM = I18N / "rnnviz_ja.qm"
GLOSSARIES = I18N / "ja"


def tool(name: str) -> str:
    """The path of a Qt tool (pyside6-lupdate, pyside6-lrelease)."""
    dirs = [os.environ.get("VENV_BIN", ""), str(Path(sys.executable).parent),
            str(ROOT / ".venv" / "bin")]
    for d in dirs:
        if d and (Path(d) / name).is_file():
            return str(Path(d) / name)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"update_translations: {name} not found (pip install PySide6)")
    return found


def load_glossaries(folder: Path = GLOSSARIES) -> dict[str, str]:
    """The union of every glossary; a source translated differently in two files is an error."""
    merged: dict[str, str] = {}
    origin: dict[str, str] = {}
    clashes = []
    for path in sorted(folder.glob("*.json")):
        table = json.loads(path.read_text(encoding="utf-8"))
        for src, ja in table.items():
            if src in merged and merged[src] != ja:
                clashes.append(f"{src!r}: {origin[src]} says {merged[src]!r}, "
                               f"{path.name} says {ja!r}")
            merged.setdefault(src, ja)
            origin.setdefault(src, path.name)
    if clashes:
        raise SystemExit("update_translations: glossaries disagree:\n  " + "\n  ".join(clashes))
    return merged


def placeholders(text: str) -> list[str]:
    """The positional .format fields of a string, sorted: a translation must keep them all."""
    return sorted(re.findall(r"\{\d+\}", text))


def check_placeholders(glossary: dict[str, str]) -> list[str]:
    """Sources whose translation drops or adds a {n} field."""
    return [src for src, ja in glossary.items() if placeholders(src) != placeholders(ja)]


def fill(ts: Path, glossary: dict[str, str]) -> tuple[int, list[tuple[str, str]]]:
    """Write every translation found in ``glossary`` into ``ts``; the number of messages and
    the (context, source) pairs left unfinished."""
    tree = ET.parse(ts)
    missing: list[tuple[str, str]] = []
    count = 0
    for context in tree.getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            count += 1
            source = message.findtext("source", "")
            tr = message.find("translation")
            if tr is None:
                tr = ET.SubElement(message, "translation")
            tr.attrib.pop("type", None)
            if source in glossary:
                tr.text = glossary[source]
            else:
                tr.text = ""
                tr.set("type", "unfinished")
                missing.append((name, source))
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
                  encoding="utf-8")
    return count, missing


def main() -> int:
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "rnnviz" / "ui").glob("*.py"))
    glossary = load_glossaries()
    bad = check_placeholders(glossary)
    if bad:
        raise SystemExit("update_translations: {n} fields differ in:\n  " + "\n  ".join(bad))
    subprocess.run([tool("pyside6-lupdate"), *sources, "-ts", str(TS.relative_to(ROOT)),
                    "-target-language", "ja", "-no-obsolete", "-locations", "none", "-silent"],
                   cwd=ROOT, check=True)
    count, missing = fill(TS, glossary)
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(TS.relative_to(ROOT)), "-qm",
                    str(QM.relative_to(ROOT))], cwd=ROOT, check=True)
    print(f"{count} messages, {count - len(missing)} translated, {len(missing)} unfinished "
          f"({len(glossary)} glossary entries)")
    for context, source in missing:
        print(f"unfinished: [{context}] {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
