#!/usr/bin/env bash
# Fails when README.md misses something it must document: a verdict reason (`KeepReason` / `RewriteWhy` in
# crates/lazify_core/src/diagnostic.rs), a configuration key (`Options` in crates/lazify_workspace/src/config.rs),
# or, given the path of a built `lazify` binary, a flag from its `--help` or `lazify measure --help`.
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
kebab() { sed -E 's/([a-z0-9])([A-Z])/\1-\2/g' | tr '[:upper:]' '[:lower:]'; }

DIAG=crates/lazify_core/src/diagnostic.rs
reasons=$(sed -n '/^keep_reasons! {/,/^}/p' "$DIAG" | sed -nE 's/^ *[A-Za-z]+ = "([a-z-]+)",.*/\1/p')
[ -n "$reasons" ] || { echo "check-docs: found no keep reasons in $DIAG" >&2; exit 1; }
for r in $reasons; do need "keep reason" "$r"; done

whys=$(sed -n '/^pub enum RewriteWhy {/,/^}/p' "$DIAG" | sed -nE 's/^ *([A-Z][A-Za-z]+),$/\1/p' | kebab)
[ -n "$whys" ] || { echo "check-docs: found no rewrite reasons in $DIAG" >&2; exit 1; }
for w in $whys; do need "rewrite reason" "$w"; done

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
  echo "check-docs: README.md documents $(wc -w <<<"$reasons") keep reasons, $(wc -w <<<"$whys") rewrite reasons, $(wc -w <<<"$keys") configuration keys${1:+ and every flag}"
fi
exit "$missing"
