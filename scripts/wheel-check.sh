#!/usr/bin/env bash
# Builds the lazify wheel with the command the release workflow uses, installs it into fresh Python 3.11 and 3.15
# virtual environments with no Rust toolchain on PATH, and runs it from there. Prints the wheel folder (the
# "wheelhouse", which also gets a setuptools wheel for the pre-commit mirror test) as its last line.
#
#   scripts/wheel-check.sh MATURIN PYTHON315 [PYTHON311] [OUT]
#
# MATURIN is a maturin executable (`pip install maturin`), PYTHON315 a python3.15 with `mkvenv` beside it (as
# ../shared/py315/install.sh installs it), PYTHON311 defaults to `python3`, OUT to target/wheelhouse.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
maturin=${1:?usage: scripts/wheel-check.sh MATURIN PYTHON315 [PYTHON311] [OUT]}
py315=${2:?usage: scripts/wheel-check.sh MATURIN PYTHON315 [PYTHON311] [OUT]}
py311=${3:-python3}
out=${4:-${CARGO_TARGET_DIR:-target}/wheelhouse}
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)

# PATH without any folder that holds cargo or rustc.
no_rust_path=""
IFS=: read -r -a dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ] || no_rust_path="${no_rust_path:+$no_rust_path:}$dir"
done

rm -rf "$out"
mkdir -p "$out"
start=$SECONDS
# The same command as .github/workflows/release.yml's MATURIN_ARGS.
"$maturin" build --locked --profile dist --out "$out" --compatibility pypi >&2
echo "wheel-check: built in $((SECONDS - start)) s" >&2
wheel=$(ls "$out"/lazify_imports-"$version"-*.whl)
echo "wheel-check: $(basename "$wheel"), $(du -k "$wheel" | cut -f1) KiB" >&2
check() {
  local name=$1 venv=$2
  local t0=$SECONDS
  env PATH="$venv/bin:$no_rust_path" "$venv/bin/python" -m pip install -q --disable-pip-version-check \
    --no-index --find-links "$out" "lazify-imports==$version" </dev/null >&2
  echo "wheel-check: $name: installed in $((SECONDS - t0)) s" >&2
  local got
  got=$(env PATH="$venv/bin:$no_rust_path" lazify --version)
  [ "$got" = "lazify $version" ] || { echo "wheel-check: $name: lazify --version said '$got'" >&2; exit 1; }
  got=$(env PATH="$no_rust_path" "$venv/bin/python" -m lazify --version)
  [ "$got" = "lazify $version" ] || { echo "wheel-check: $name: python -m lazify --version said '$got'" >&2; exit 1; }
  local status=0 diff
  diff=$(env PATH="$venv/bin:$no_rust_path" lazify --diff examples/demo) || status=$?
  if [ "$status" -ne 1 ] || ! grep -q '^+lazy import json' <<<"$diff"; then
    echo "wheel-check: $name: the demo diff failed (exit $status):" >&2
    echo "$diff" >&2
    exit 1
  fi
  echo "wheel-check: $name: lazify --version, python -m lazify --version and the demo diff ($(grep -c '^+lazy' <<<"$diff") lazy lines) OK" >&2
}

venvs=$(mktemp -d)
trap 'rm -rf "$venvs"' EXIT
"$py311" -m venv "$venvs/py311" >&2
"$(dirname "$py315")/mkvenv" "$venvs/py315" >&2
# pip needs setuptools to install the pre-commit mirror (a pyproject project) without an index
# (tests/cli/precommit.rs).
"$venvs/py315/bin/pip" download -q --disable-pip-version-check --only-binary :all: --no-deps -d "$out" \
  "setuptools>=61" </dev/null >&2
check "Python $("$venvs/py311/bin/python" -c 'import sys; print(sys.version.split()[0])')" "$venvs/py311"
check "Python $("$venvs/py315/bin/python" -c 'import sys; print(sys.version.split()[0])')" "$venvs/py315"

cd "$out" && pwd
