#!/usr/bin/env bash
# Collect the UI strings into resources/i18n/rnnviz_ja.ts (translations already there are kept)
# and compile rnnviz_ja.qm. Edit the .ts with Qt Linguist (pyside6-linguist) or a text editor.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV_BIN:-.venv/bin}
"$BIN/pyside6-lupdate" rnnviz/ui/*.py -ts resources/i18n/rnnviz_ja.ts -target-language ja -no-obsolete
"$BIN/pyside6-lrelease" resources/i18n/rnnviz_ja.ts -qm resources/i18n/rnnviz_ja.qm
