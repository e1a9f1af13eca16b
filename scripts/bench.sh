#!/usr/bin/env bash
# lazify's benchmark (issue 6): lazify against ruff and the parse-only floor on a pinned corpus of real Python.
#
#   scripts/bench.sh [--runs N] [--warmup N] [--sizes quarter,half,full] [--tools LIST] [--single-runs N]
#                    [--json FILE] [--max-others SHARE] [--retries N] [--pause SECONDS] [--no-build]
#
# What it does:
#   1. builds `lazify` and `parse-floor` (crates/lazify_bench_floor) in release mode;
#   2. assembles the corpus once, under ${LAZIFY_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lazify-bench}:
#      the source distributions of Django 5.2.8 and SymPy 1.14.0 (fetched with `pip download`, checked against
#      pinned sha256 sums) and the CPython 3.15 standard library, every `.py` file copied into corpus/full (files
#      that Python 3.15 cannot parse, hidden files and directories ruff skips by default are left out: every
#      tool sees the same files and none stops at a syntax error); then splits it, partitioning rather than
#      sampling, into 4 interleaved quarters (files[k::4] of the sorted list, k = 0..3: corpus/quarter,
#      corpus/quarter-1, corpus/quarter-2, corpus/quarter-3) and 2 interleaved halves (files[k::2]:
#      corpus/half, corpus/half-1), each with its list corpus/files-<part>.txt and its counts in
#      corpus/counts.json. A size's parts together are exactly the full corpus. A cache assembled before the
#      split (no corpus/.parts) gains the missing parts from corpus/full, without fetching anything;
#   3. installs ruff 0.17.5 into a venv there;
#   4. runs scripts/bench/bench.py, which measures the tools side by side (alternating runs, warm-up, medians of
#      wall time, CPU time and peak RSS) and prints the tables, the ratios and the targets of issue 6. The
#      quarter and half sizes run every part in every round: their wall and CPU time is the mean over the parts,
#      their peak RSS the maximum, so their time per MB against the full corpus's (the linearity table) compares
#      the same work and shows only what the size of a run costs (a round of all three sizes thus processes the
#      corpus three times). On a shared machine, a run during which other processes used more than --max-others
#      (default 0.15) of the machine is repeated up to --retries (3) times, --pause (2) seconds apart, keeping
#      the quietest; the table's "others' load" column says how busy the rest of the machine was.
#
# Tools (--tools, comma-separated; default all): check (`lazify --check --no-cache --target-version py315`: every
# run does all the work, as ruff's `--no-cache` run does), diff (the same with `--diff`, output to /dev/null), warm
# (`lazify --check` with its summary cache, filled by the warm-up: a second run on an unchanged corpus),
# ruff (`ruff check --no-cache --isolated --preview --target-version py315 --select TID254,TID255 --exit-zero`),
# floor (`parse-floor`). `--tools ruff,floor` runs without lazify.
#
# Environment: LAZIFY_PYTHON315 (the 3.15 interpreter whose stdlib goes into the corpus; else `python3.15` on
# PATH, else /root/.cache/py315/bin/python3.15), PYTHON (the interpreter that runs pip and bench.py; default
# python3), CARGO_TARGET_DIR (honoured).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${LAZIFY_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lazify-bench}
python=${PYTHON:-python3}

django_version=5.2.8
sympy_version=1.14.0
ruff_version=0.17.5
django_sha256=23254866a5bb9a2cfa6004e8b809ec6246eba4b58a7589bc2772f1bcc8456c7f
sympy_sha256=d3d3fe8df1e5a0b42f0e7bdf50541697dbe7d23746e894990c030e2b05e72517

build=1
tools=check,diff,warm,ruff,floor
bench_args=()
while (($#)); do
    case $1 in
        --no-build) build=0 ;;
        --tools) tools=$2; bench_args+=("$1" "$2"); shift ;;
        --runs | --warmup | --sizes | --single-runs | --json | --max-others | --retries | --pause)
            bench_args+=("$1" "$2"); shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
wants() { [[ ",$tools," == *",$1,"* ]]; }
step() { printf '\n==> %s\n' "$*" >&2; }

# 1. Build. --------------------------------------------------------------------------------------------------
target_dir=${CARGO_TARGET_DIR:-$repo/target}
floor_bin=$target_dir/release/parse-floor
lazify_bin=$target_dir/release/lazify
engine_bin=$target_dir/release/examples/single_file
if ((build)); then
    step "building parse-floor (release)"
    (cd "$repo" && cargo build --release --quiet -p lazify_bench_floor)
    if wants check || wants diff; then
        step "building lazify (release)"
        if ! (cd "$repo" && cargo build --release --quiet -p lazify --bin lazify); then
            echo "bench.sh: lazify does not build; fix it, or run without it: --tools ruff,floor" >&2
            exit 2
        fi
        step "building the in-process timer (release, lazify_core's example single_file)"
        (cd "$repo" && cargo build --release --quiet -p lazify_core --example single_file)
    fi
fi
[[ -x $floor_bin ]] || { echo "bench.sh: $floor_bin is missing (drop --no-build)" >&2; exit 2; }
if (wants check || wants diff) && [[ ! -x $lazify_bin ]]; then
    echo "bench.sh: $lazify_bin is missing (drop --no-build, or --tools ruff,floor)" >&2
    exit 2
fi

# 2. The corpus. -----------------------------------------------------------------------------------------------
find_python315() {
    if [[ -n ${LAZIFY_PYTHON315:-} ]]; then
        echo "$LAZIFY_PYTHON315"
    elif command -v python3.15 >/dev/null; then
        command -v python3.15
    elif [[ -x /root/.cache/py315/bin/python3.15 ]]; then
        echo /root/.cache/py315/bin/python3.15
    else
        echo "bench.sh: no Python 3.15 (set LAZIFY_PYTHON315, or run bash /work/shared/py315/install.sh)" >&2
        return 1
    fi
}
mkdir -p "$cache/sdist"
fetch() { # fetch NAME VERSION SHA256
    local file=$cache/sdist/$1-$2.tar.gz
    if [[ ! -f $file ]]; then
        step "downloading the $1 $2 source distribution"
        "$python" -m pip download --quiet --no-deps --no-binary :all: "$1==$2" -d "$cache/sdist" >&2
    fi
    if ! echo "$3  $file" | sha256sum --check --quiet -; then
        echo "bench.sh: $file does not match its pinned sha256; delete it and run again" >&2
        exit 2
    fi
}
corpus=$cache/corpus
python315=$(find_python315)
stdlib=$("$python315" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
stamp="corpus v2: django-$django_version sympy-$sympy_version stdlib=$stdlib"
if [[ ! -f $corpus/.complete ]] || [[ $(cat "$corpus/.complete") != "$stamp" ]]; then
    fetch django "$django_version" "$django_sha256"
    fetch sympy "$sympy_version" "$sympy_sha256"
    step "assembling the corpus in $corpus"
    rm -rf "$cache/src" "$corpus"
    mkdir -p "$cache/src"
    tar -xzf "$cache/sdist/django-$django_version.tar.gz" -C "$cache/src"
    tar -xzf "$cache/sdist/sympy-$sympy_version.tar.gz" -C "$cache/src"
    "$python" "$repo/scripts/bench/bench.py" corpus --out "$corpus" --python315 "$python315" \
        "django-$django_version=$cache/src/django-$django_version" \
        "sympy-$sympy_version=$cache/src/sympy-$sympy_version" \
        "python3.15=$stdlib"
    echo "$stamp" >"$corpus/.complete"
fi
# The quarters and halves, from corpus/full: written after a fresh assembly (which removed .parts) and added to an
# older cache that has only corpus/quarter and corpus/half; parts already right are left alone.
parts_stamp="parts v1: quarter=files[k::4] k=0..3, half=files[k::2] k=0..1"
if [[ ! -f $corpus/.parts ]] || [[ $(cat "$corpus/.parts") != "$parts_stamp" ]]; then
    step "splitting the corpus into quarters and halves in $corpus"
    "$python" "$repo/scripts/bench/bench.py" parts --corpus "$corpus"
    echo "$parts_stamp" >"$corpus/.parts"
fi

# 3. ruff. -----------------------------------------------------------------------------------------------------
ruff_bin=$cache/ruff-$ruff_version/bin/ruff
if wants ruff && [[ ! -x $ruff_bin ]]; then
    step "installing ruff $ruff_version into $cache/ruff-$ruff_version"
    "$python" -m venv "$cache/ruff-$ruff_version"
    "$cache/ruff-$ruff_version/bin/python" -m pip install --quiet "ruff==$ruff_version" >&2
fi
if wants ruff && [[ $("$ruff_bin" --version) != "ruff $ruff_version" ]]; then
    echo "bench.sh: $ruff_bin is not ruff $ruff_version; delete $cache/ruff-$ruff_version" >&2
    exit 2
fi

# 4. Measure (GNU time gives the peak RSS of each run: see measure() in bench.py). -----------------------------
if [[ ! -x /usr/bin/time ]]; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        step "installing GNU time"
        apt-get install -y -q time >&2 || { apt-get update -q >&2 && apt-get install -y -q time >&2; }
    else
        echo "bench.sh: /usr/bin/time (GNU time) is missing: apt-get install time" >&2
        exit 2
    fi
fi
step "measuring"
exec "$python" "$repo/scripts/bench/bench.py" run --corpus "$corpus" \
    --lazify "$lazify_bin" --floor "$floor_bin" --ruff "$ruff_bin" --engine "$engine_bin" "${bench_args[@]}"
