#!/usr/bin/env bash
# Which common Python tools understand PEP 810 `lazy import` today? Reproduces the "Tool compatibility" table of
# the README: installs the tools into a Python 3.15 venv and a Python 3.11 venv (in a temporary folder), runs each
# on small files that use `lazy import` / `lazy from` and `__lazy_modules__`, and prints one Markdown row per check.
#
#   scripts/tool-compat.sh            the versions in the README table (pinned below)
#   scripts/tool-compat.sh --latest   the newest versions on the package index (ruff stays at 0.17.5)
#
# Interpreters: Python 3.15 from $LAZIFY_PYTHON315 or `python3.15` on PATH (a `mkvenv` beside it is used when present,
# since some 3.15 builds ship without ensurepip); Python 3.11 from $LAZIFY_PYTHON311 or `python3`.
# Set TOOL_COMPAT_DIR to keep (and reuse) the venvs. This is not part of the test suite.
set -euo pipefail

LATEST=false
if [ "${1:-}" = "--latest" ]; then LATEST=true; fi

RUFF_SPEC="ruff==0.17.5"
if $LATEST; then
  OTHER_SPECS=(black mypy pyright isort)
else
  OTHER_SPECS=(black==26.10.1 mypy==2.4.1 pyright==1.1.414 isort==9.0.2)
fi

PY315=${LAZIFY_PYTHON315:-$(command -v python3.15 || true)}
PY311=${LAZIFY_PYTHON311:-$(command -v python3 || true)}
if [ -z "$PY315" ] || [ -z "$PY311" ]; then
  echo "tool-compat: need Python 3.15 (LAZIFY_PYTHON315 or python3.15) and Python 3.11 (python3)" >&2
  exit 2
fi

WORK=${TOOL_COMPAT_DIR:-$(mktemp -d)}
mkdir -p "$WORK/cases"

make_venv() { # make_venv PYTHON DIR
  local py=$1 dir=$2
  [ -x "$dir/bin/python" ] && return 0
  if [ -x "$(dirname "$py")/mkvenv" ]; then
    "$(dirname "$py")/mkvenv" "$dir"
  else
    "$py" -m venv "$dir"
  fi
  "$dir/bin/pip" install -q --disable-pip-version-check "$RUFF_SPEC" "${OTHER_SPECS[@]}"
}
echo "tool-compat: installing the tools into $WORK (a minute or two the first time)" >&2
make_venv "$PY315" "$WORK/v315"
make_venv "$PY311" "$WORK/v311"

# The inputs. `typed.py` has one deliberate type error on its last line: a type checker that understands the lazy
# bindings reports exactly that one.
cat > "$WORK/cases/typed.py" <<'PY'
lazy import json
lazy from os import path


def dump(value: int) -> str:
    return json.dumps({"sep": path.sep, "value": value})


wrong: int = json.dumps(1)
PY
cat > "$WORK/cases/unformatted.py" <<'PY'
lazy   import json
lazy from os import (path,sep)
def dump(value):
    return json.dumps({"sep": path.sep+sep, "value": value})
PY
cat > "$WORK/cases/unsorted.py" <<'PY'
lazy import sys
import os
lazy import abc
lazy from os import sep, path
from json import loads, dumps


def f():
    return sys, os, abc, sep, path, loads, dumps
PY
cat > "$WORK/cases/lazy_modules.py" <<'PY'
__lazy_modules__ = ["json", "decimal"]

import json
import decimal


def dump(value: int) -> str:
    return json.dumps({"value": str(decimal.Decimal(value))})


wrong: int = json.dumps(1)
PY

# Runs a command, storing its combined output in $OUT and its exit code in $RC.
run() { set +e; OUT=$("$@" 2>&1); RC=$?; set -e; }

# After a formatter or sorter rewrote FILE: does it still hold N `lazy` statements and compile on 3.15?
kept_lazy() { # kept_lazy FILE N
  local n
  n=$(grep -c '^lazy ' "$1" || true)
  if [ "$n" != "$2" ]; then echo "dropped \`lazy\` ($n of $2 left)"; return; fi
  if ! "$PY315" -c 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")' "$1" 2>/dev/null; then
    echo "output does not compile on 3.15"; return
  fi
  echo "ok"
}

# A type checker's verdict on typed.py / lazy_modules.py: only the deliberate error on the last line is right.
typecheck_cell() { # typecheck_cell LINE_OF_THE_PLANTED_ERROR
  if grep -qiE 'syntax|invalid|requires Python 3\.15' <<<"$OUT"; then
    echo "error: $(grep -iE -m1 'syntax|invalid|requires Python 3\.15' <<<"$OUT" | sed -E 's/^.*(error|Error): ?//' | cut -c1-70)"
  elif grep -qE ":$1(:[0-9]+)?:? .*error" <<<"$OUT" && [ "$(grep -cE ' error: | - error: ' <<<"$OUT")" = 1 ]; then
    echo "ok: reports only the planted type error"
  else
    echo "unexpected (rc $RC): $(head -n1 <<<"$OUT" | cut -c1-70)"
  fi
}

format_cell() { # after running a formatter on $WORK/t.py
  if [ "$RC" != 0 ] && grep -q 'failed to parse source file AST' <<<"$OUT"; then
    echo "error (rc $RC): its safety check parses with the running Python, which has no \`lazy\`"
  elif [ "$RC" != 0 ]; then
    echo "error (rc $RC): $(grep -m1 -iE 'error|cannot' <<<"$OUT" | cut -c1-80)"
  else
    local k; k=$(kept_lazy "$WORK/t.py" 2)
    if [ "$k" = ok ]; then echo "ok: formats, keeps \`lazy\`"; else echo "$k"; fi
  fi
}

sort_cell() { # after running an import sorter on $WORK/t.py
  if [ "$RC" != 0 ]; then
    echo "error (rc $RC): $(head -n1 <<<"$OUT" | cut -c1-80)"
  else
    local k; k=$(kept_lazy "$WORK/t.py" 3)
    if [ "$k" = ok ]; then
      echo "ok: sorts; lazy imports go after the eager ones of their section"
    else
      echo "$k"
    fi
  fi
}

# After a sorter or formatter ran on a copy of lazy_modules.py: `__lazy_modules__` must still come first.
modules_cell() {
  if [ "$RC" != 0 ]; then echo "error (rc $RC): $(head -n1 <<<"$OUT" | cut -c1-80)"; return; fi
  local list first
  list=$(grep -n '^__lazy_modules__' "$WORK/t.py" | cut -d: -f1)
  first=$(grep -n '^import ' "$WORK/t.py" | head -n1 | cut -d: -f1)
  if [ -n "$list" ] && [ "$list" -lt "$first" ]; then echo "ok: \`__lazy_modules__\` stays above the imports"
  else echo "moved the imports above \`__lazy_modules__\`"; fi
}

lint_cell() {
  if grep -q 'invalid-syntax' <<<"$OUT"; then
    echo "invalid-syntax: $(grep -m1 'invalid-syntax' <<<"$OUT" | sed -e 's/^invalid-syntax: //' -e 's/ (syntax was added.*//')"
  elif [ "$RC" -le 1 ]; then echo "ok: parses"; else echo "unexpected (rc $RC): $(head -n1 <<<"$OUT" | cut -c1-70)"; fi
}

compile_cell() { # compile_cell PY FILE
  run "$1" -c 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")' "$2"
  if [ "$RC" = 0 ]; then echo "ok: compiles"; else echo "SyntaxError: $(tail -n1 <<<"$OUT" | sed 's/^SyntaxError: //' | cut -c1-60)"; fi
}

# row TOOL VERSION "COMMAND [(NOTE)]" CELL315 CELL311: the note in parentheses stays outside the code span.
row() {
  local cmd=$3 note=""
  if [[ $cmd == *" ("* ]]; then note=" (${cmd#* (}"; cmd=${cmd%% (*}; fi
  note=${note//__lazy_modules__/\`__lazy_modules__\`}
  printf '| %s | %s | `%s`%s | %s | %s |\n' "$1" "$2" "$cmd" "$note" "$4" "$5"
}

version_of() { "$WORK/v315/bin/pip" show "$1" 2>/dev/null | awk '/^Version:/ {print $2}'; }

echo
echo "| Tool | Version | Command (\`lazy\` file unless noted) | Tool run by Python 3.15 | Tool run by Python 3.11 |"
echo "| --- | --- | --- | --- | --- |"

declare -A C
for v in v315 v311; do
  B=$WORK/$v/bin
  # ruff
  run "$B/ruff" check --no-cache --isolated --target-version py315 "$WORK/cases/typed.py"; C[ruff315,$v]=$(lint_cell)
  run "$B/ruff" check --no-cache --isolated --target-version py311 "$WORK/cases/typed.py"; C[ruff311,$v]=$(lint_cell)
  run "$B/ruff" check --no-cache --isolated --target-version py311 "$WORK/cases/lazy_modules.py"; C[ruffmods,$v]=$(lint_cell)
  run "$B/ruff" check --no-cache --isolated --target-version py311 --select E402 "$WORK/cases/lazy_modules.py"
  if [ "$RC" = 0 ]; then C[ruffe402,$v]="ok: no E402 for imports after \`__lazy_modules__\`"; else C[ruffe402,$v]="E402 reported"; fi
  cp "$WORK/cases/lazy_modules.py" "$WORK/t.py"
  run "$B/ruff" check --no-cache --isolated --target-version py311 --select I --fix "$WORK/t.py"; C[ruffImods,$v]=$(modules_cell)
  cp "$WORK/cases/unformatted.py" "$WORK/t.py"
  run "$B/ruff" format --no-cache --isolated --target-version py315 "$WORK/t.py"; C[ruffformat,$v]=$(format_cell)
  cp "$WORK/cases/unsorted.py" "$WORK/t.py"
  run "$B/ruff" check --no-cache --isolated --target-version py315 --select I --fix "$WORK/t.py"; C[ruffI,$v]=$(sort_cell)
  # black
  cp "$WORK/cases/unformatted.py" "$WORK/t.py"
  run "$B/black" -q --target-version py315 "$WORK/t.py"; C[black315,$v]=$(format_cell)
  cp "$WORK/cases/unformatted.py" "$WORK/t.py"
  run "$B/black" -q "$WORK/t.py"; C[black,$v]=$(format_cell)
  cp "$WORK/cases/unformatted.py" "$WORK/t.py"
  run "$B/black" -q --fast "$WORK/t.py"; C[blackfast,$v]=$(format_cell)
  # isort
  cp "$WORK/cases/unsorted.py" "$WORK/t.py"
  run "$B/isort" -q "$WORK/t.py"; C[isort,$v]=$(sort_cell)
  cp "$WORK/cases/lazy_modules.py" "$WORK/t.py"
  run "$B/isort" -q "$WORK/t.py"; C[isortmods,$v]=$(modules_cell)
  cp "$WORK/cases/lazy_modules.py" "$WORK/t.py"
  run "$B/black" -q "$WORK/t.py"; C[blackmods,$v]=$(modules_cell)
  # mypy
  run "$B/mypy" --no-incremental --cache-dir=/dev/null --python-version 3.15 "$WORK/cases/typed.py"; C[mypy315,$v]=$(typecheck_cell 9)
  run "$B/mypy" --no-incremental --cache-dir=/dev/null --python-version 3.11 "$WORK/cases/typed.py"; C[mypy311,$v]=$(typecheck_cell 9)
  # pyright
  run "$B/pyright" --pythonversion 3.15 "$WORK/cases/typed.py"; C[pyright315,$v]=$(typecheck_cell 9)
  run "$B/pyright" --pythonversion 3.11 "$WORK/cases/typed.py"; C[pyright311,$v]=$(typecheck_cell 9)
  run "$B/pyright" --pythonversion 3.11 "$WORK/cases/lazy_modules.py"; C[pyrightmods,$v]=$(typecheck_cell 11)
  run "$B/mypy" --no-incremental --cache-dir=/dev/null --python-version 3.11 "$WORK/cases/lazy_modules.py"; C[mypymods,$v]=$(typecheck_cell 11)
  # the interpreter itself
  C[py,$v]=$(compile_cell "$B/python" "$WORK/cases/typed.py")
  C[pymods,$v]=$(compile_cell "$B/python" "$WORK/cases/lazy_modules.py")
done

PYV315=$("$WORK/v315/bin/python" -c 'import platform; print(platform.python_version())')
PYV311=$("$WORK/v311/bin/python" -c 'import platform; print(platform.python_version())')
row "CPython" "$PYV315 / $PYV311" "python -c 'compile(...)'" "${C[py,v315]}" "${C[py,v311]}"
row "CPython" "$PYV315 / $PYV311" "python -c 'compile(...)' (__lazy_modules__ file)" "${C[pymods,v315]}" "${C[pymods,v311]}"
R=$(version_of ruff)
row "ruff" "$R" "ruff check --target-version py315" "${C[ruff315,v315]}" "${C[ruff315,v311]}"
row "ruff" "$R" "ruff check --target-version py311" "${C[ruff311,v315]}" "${C[ruff311,v311]}"
row "ruff" "$R" "ruff check --target-version py311 (__lazy_modules__ file)" "${C[ruffmods,v315]}" "${C[ruffmods,v311]}"
row "ruff" "$R" "ruff check --select E402 (__lazy_modules__ file)" "${C[ruffe402,v315]}" "${C[ruffe402,v311]}"
row "ruff" "$R" "ruff check --select I --fix (__lazy_modules__ file)" "${C[ruffImods,v315]}" "${C[ruffImods,v311]}"
row "ruff" "$R" "ruff format --target-version py315" "${C[ruffformat,v315]}" "${C[ruffformat,v311]}"
row "ruff" "$R" "ruff check --select I --fix" "${C[ruffI,v315]}" "${C[ruffI,v311]}"
BV=$(version_of black)
row "black" "$BV" "black --target-version py315" "${C[black315,v315]}" "${C[black315,v311]}"
row "black" "$BV" "black" "${C[black,v315]}" "${C[black,v311]}"
row "black" "$BV" "black --fast" "${C[blackfast,v315]}" "${C[blackfast,v311]}"
row "black" "$BV" "black (__lazy_modules__ file)" "${C[blackmods,v315]}" "${C[blackmods,v311]}"
row "isort" "$(version_of isort)" "isort" "${C[isort,v315]}" "${C[isort,v311]}"
row "isort" "$(version_of isort)" "isort (__lazy_modules__ file)" "${C[isortmods,v315]}" "${C[isortmods,v311]}"
MV=$(version_of mypy)
row "mypy" "$MV" "mypy --python-version 3.15" "${C[mypy315,v315]}" "${C[mypy315,v311]}"
row "mypy" "$MV" "mypy --python-version 3.11" "${C[mypy311,v315]} (no warning that 3.11 has no \`lazy\`)" "${C[mypy311,v311]} (no warning that 3.11 has no \`lazy\`)"
row "mypy" "$MV" "mypy --python-version 3.11 (__lazy_modules__ file)" "${C[mypymods,v315]}" "${C[mypymods,v311]}"
PV=$(version_of pyright)
row "pyright" "$PV" "pyright --pythonversion 3.15" "${C[pyright315,v315]}" "${C[pyright315,v311]}"
row "pyright" "$PV" "pyright --pythonversion 3.11" "${C[pyright311,v315]}" "${C[pyright311,v311]}"
row "pyright" "$PV" "pyright --pythonversion 3.11 (__lazy_modules__ file)" "${C[pyrightmods,v315]}" "${C[pyrightmods,v311]}"
echo
echo "tool-compat: inputs and venvs in $WORK" >&2
