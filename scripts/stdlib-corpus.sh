#!/usr/bin/env bash
# Runs `--style local` and `--hoist` over a copy of the CPython 3.15 standard library: counts what each moves or
# hoists and what it refuses, by reason; checks that a second run finds nothing and that the rewritten library still
# compiles (`python3.15 -m compileall -q`).
#
#   scripts/stdlib-corpus.sh [PYTHON315]
#
# PYTHON315 defaults to $LAZIFY_PYTHON315 or `python3.15` on PATH. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-${LAZIFY_PYTHON315:-python3.15}}
STDLIB=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
cargo build -q --release -p lazify
LAZIFY=$PWD/target/release/lazify
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# count JSON [BASELINE_JSON]: verdicts by decision and reason; with a baseline, only the imports that the baseline
# judged `in-class-or-function` (the function-local imports `--hoist` works on).
count() {
  "$PY" - "$@" <<'PY'
import collections, json, sys
verdicts = json.load(open(sys.argv[1]))["findings"]
key = lambda v: (v["path"], v["line"], v["column"])
if len(sys.argv) > 2:
    local = {key(v) for v in json.load(open(sys.argv[2]))["findings"] if v.get("reason") == "in-class-or-function"}
    verdicts = [v for v in verdicts if key(v) in local]
c = collections.Counter((v["decision"], v.get("reason")) for v in verdicts)
for (decision, reason), n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])):
    print(f"  {n:6d}  {decision:7s} {reason}")
print(f"  {sum(c.values()):6d}  total")
PY
}

# `hoist-lib`: the library without its test packages (`test/`, `idlelib/idle_test/`), whose import helpers swap
# arbitrary modules in `sys.modules` and so, rightly, stop every hoist in the full tree.
for mode in local hoist hoist-lib; do
  copy=$WORK/$mode
  cp -r "$STDLIB" "$copy"
  find "$copy" -name __pycache__ -prune -exec rm -rf {} +
  case $mode in
    local) flags=(--style local --target-version py315) ;;
    hoist) flags=(--style lazy --hoist --target-version py315) ;;
    hoist-lib)
      flags=(--style lazy --hoist --target-version py315)
      rm -rf "$copy/test" "$copy/idlelib/idle_test"
      ;;
  esac
  echo "== $mode (${flags[*]}) on $(find "$copy" -name '*.py' | wc -l) files"
  "$LAZIFY" "${flags[@]}" --explain --output-format json "$copy" > "$WORK/$mode.json" || true
  if [ "$mode" != local ]; then
    "$LAZIFY" --style lazy --target-version py315 --explain --output-format json "$copy" > "$WORK/plain.json" || true
    echo "  function-local imports, as --hoist judges them:"
    count "$WORK/$mode.json" "$WORK/plain.json"
  else
    echo "  module-level imports:"
    count "$WORK/$mode.json"
  fi
  "$LAZIFY" "${flags[@]}" --write --quiet "$copy" || true
  if "$LAZIFY" "${flags[@]}" --check "$copy" > "$WORK/$mode.second" 2>&1; then
    echo "  second run: $(tail -n1 "$WORK/$mode.second")"
  else
    echo "  second run found more to do:"; cat "$WORK/$mode.second"; exit 1
  fi
  if "$PY" -m compileall -q "$copy" > "$WORK/$mode.compile" 2>&1; then
    echo "  compileall -q: ok"
  else
    echo "  compileall -q FAILED:"; tail -n 20 "$WORK/$mode.compile"; exit 1
  fi
done
