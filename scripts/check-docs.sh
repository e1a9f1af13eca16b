#!/usr/bin/env bash
# Fails when README.md misses something it must document: a configuration key (`Options` in
# crates/lazify_workspace/src/config.rs) or, given the path of a built `lazify` binary, a flag from its `--help` or
# `lazify measure --help`. (The tables of verdict reasons and notices are generated from
# crates/lazify_core/src/diagnostic.rs and checked by `cargo test -p lazify_core docs`.)
#
#   scripts/check-docs.sh [PATH/TO/lazify]
#
# .ci/run calls it after the tests, with the debug binary they built.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

README=${CHECK_DOCS_README:-README.md}
missing=0
need() { # need KIND NAME: NAME must appear in backticks in the README, alone or followed by its arguments
  if ! grep -qE -- "\`$2( [^\`]*)?\`" "$README"; then
    echo "check-docs: README.md does not document the $1 \`$2\`" >&2
    missing=1
  fi
}

CONFIG=crates/lazify_workspace/src/config.rs
keys=$(sed -n '/^pub struct Options {/,/^}/p' "$CONFIG" | sed -nE 's/^ *pub ([a-z_]+): .*/\1/p' | tr '_' '-')
[ -n "$keys" ] || { echo "check-docs: found no configuration keys in $CONFIG" >&2; exit 1; }
for k in $keys; do need "configuration key" "$k"; done

if [ -n "${1:-}" ]; then
  flags=$("$1" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | grep -oE -- '--[a-z][a-z-]*' | sort -u)
  [ -n "$flags" ] || { echo "check-docs: found no flags in \`$1 --help\`" >&2; exit 1; }
  for f in $flags; do need "flag" "$f"; done
  measure_flags=$("$1" measure --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | grep -oE -- '--[a-z][a-z-]*' | sort -u)
  [ -n "$measure_flags" ] || { echo "check-docs: found no flags in \`$1 measure --help\`" >&2; exit 1; }
  for f in $measure_flags; do need "flag of lazify measure" "$f"; done
fi

if [ "$missing" = 0 ]; then
  echo "check-docs: README.md documents $(wc -w <<<"$keys") configuration keys${1:+ and every flag}"
fi
exit "$missing"
