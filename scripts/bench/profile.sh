#!/usr/bin/env bash
# Profiles lazify and the parse-only floor with callgrind on one size of the benchmark corpus (issue 6).
#
#   scripts/bench/profile.sh [--size quarter|half|full] [--tools check,floor] [--top N]
#
# lazify runs as scripts/bench.sh runs it (`--target-version py315`). Callgrind counts instructions, so its
# figures are stable on a busy machine where wall times are not. For each tool it prints the total instructions
# (and so the lazify / floor ratio in instructions), then the functions with the most instructions of their
# own (exclusive) and the most including their callees (inclusive).
# Run scripts/bench.sh first: it builds the binaries and the corpus. Output files stay in
# $LAZIFY_BENCH_CACHE/profile/ (default ${XDG_CACHE_HOME:-$HOME/.cache}/lazify-bench/profile) for
# callgrind_annotate or kcachegrind.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${LAZIFY_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lazify-bench}
target_dir=${CARGO_TARGET_DIR:-$repo/target}
size=quarter
tools=check,floor
top=25
while (($#)); do
    case $1 in
        --size) size=$2; shift ;;
        --tools) tools=$2; shift ;;
        --top) top=$2; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "profile.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
command -v valgrind >/dev/null || { echo "profile.sh: valgrind is missing (apt-get install -y valgrind)" >&2; exit 2; }
corpus=$cache/corpus/$size
[[ -d $corpus ]] || { echo "profile.sh: no corpus at $corpus; run scripts/bench.sh first" >&2; exit 2; }
out=$cache/profile
mkdir -p "$out"

# The first $top function rows of a callgrind_annotate report, with registry and toolchain prefixes cut.
top_functions() {
    sed -n '/file:function/,$p' "$1" | sed '1,2d' | sed -n "1,${top}p" |
        sed 's#/root/.cargo/registry/src/[^/]*/##; s#/rustc/[0-9a-f]*/##'
}

declare -A total
for tool in ${tools//,/ }; do
    case $tool in
        check) cmd=("$target_dir/release/lazify" --target-version py315 --check "$corpus") ;;
        diff) cmd=("$target_dir/release/lazify" --target-version py315 --diff "$corpus") ;;
        floor) cmd=("$target_dir/release/parse-floor" "$corpus") ;;
        *) echo "profile.sh: unknown tool $tool (check, diff, floor)" >&2; exit 2 ;;
    esac
    file=$out/callgrind.$tool.$size.out
    printf '\n==> callgrind: %s\n' "${cmd[*]}" >&2
    # lazify exits 1 when changes are pending; only 2 and up are failures.
    code=0
    valgrind --tool=callgrind --callgrind-out-file="$file" "${cmd[@]}" >/dev/null 2>"$out/valgrind.$tool.log" ||
        code=$?
    if ((code > 1)); then
        echo "profile.sh: ${cmd[*]} exited with $code under valgrind; see $out/valgrind.$tool.log" >&2
        exit 2
    fi
    total[$tool]=$(awk '/^summary:/ { print $2; exit }' "$file")
    callgrind_annotate "$file" >"$file.self.txt" 2>/dev/null
    callgrind_annotate --inclusive=yes "$file" >"$file.inclusive.txt" 2>/dev/null
    printf '\n## %s: %s instructions\n\nexclusive (self):\n' "$tool" "${total[$tool]}"
    top_functions "$file.self.txt"
    printf '\ninclusive (rayon frames left out; recursion counts a function more than once):\n'
    grep -v -e 'rayon' -e 'std::thread' -e '__clone' -e 'start_thread' "$file.inclusive.txt" >"$file.inclusive.trim.txt" || true
    top_functions "$file.inclusive.trim.txt"
done
for tool in check diff; do
    if [[ -n ${total[$tool]:-} && -n ${total[floor]:-} ]]; then
        awk -v a="${total[$tool]}" -v b="${total[floor]}" -v t="$tool" \
            'BEGIN { printf "\ninstructions lazify --%s / floor: %.2f\n", t, a / b }'
    fi
done
