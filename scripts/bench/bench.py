#!/usr/bin/env python3
"""lazify's benchmark driver (issue 6). Called by scripts/bench.sh; runs on any Python 3.9+.

    bench.py corpus --out DIR NAME=SRC...   copy the corpus into DIR/full (then run `parts`)
    bench.py parts --corpus DIR             split DIR/full into its quarters and halves (idempotent)
    bench.py run --corpus DIR --lazify BIN --floor BIN --ruff BIN [options]   measure and print the tables

Sizes: the corpus's sorted file list is partitioned, not sampled. The quarter size is four interleaved parts,
files[k::4] for k = 0..3, in DIR/quarter (k = 0), DIR/quarter-1, DIR/quarter-2 and DIR/quarter-3; the half size
is two, files[k::2], in DIR/half (k = 0) and DIR/half-1. Each part's file list is DIR/files-<part>.txt. Every
file is in exactly one quarter and one half, so a size's parts together are exactly the full corpus, and a
size's figures cover the same work as the full corpus's: per-file cost is heavy-tailed (one large string
literal parses far faster per byte than dense expressions), and a single sample of files would measure which
files landed in it rather than how cost grows with the size of a run.

Measuring: every run is a child process waited for with os.wait4, which gives its wall time (perf_counter
around spawn and wait), CPU time (user + sys of the child and its threads) and peak RSS (ru_maxrss). Tools run
alternately: in each round every tool runs once, and the order rotates from round to round, so a slow moment
of the machine is shared out instead of landing on one tool. Warm-up rounds are thrown away; the tables show
medians of the measured rounds. The sizes are measured side by side too: a round runs every tool on the full
corpus and on every part of the quarter and half sizes (the tools alternating, run by run, and the runs in
reverse order every other round), so a machine that slows down during the benchmark slows every size alike
rather than the size measured last. A size's wall and CPU time in a round is the mean over its parts and its
peak RSS the maximum, and the tables show medians of those over the rounds, with the mean bytes per part (= the
full corpus's bytes / number of parts) as the size's bytes for the linearity table.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GNU_TIME = "/usr/bin/time"
SIZES = ("quarter", "half", "full")
STEP = {"quarter": 4, "half": 2, "full": 1}


def part_names(size: str) -> list[str]:
    """The directories (under the corpus) of a size's parts: part 0 keeps the size's own name."""
    return [size if k == 0 else f"{size}-{k}" for k in range(STEP[size])]


# Directory names ruff (and so a fair comparison) skips by default; files under them, and hidden files, are left
# out of the corpus so that every tool sees exactly the same files.
RUFF_DEFAULT_EXCLUDES = {
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache", ".nox",
    ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv", ".vscode",
    "__pypackages__", "_build", "buck-out", "dist", "node_modules", "site-packages", "venv",
}

RUFF_ARGS = ["check", "--no-cache", "--isolated", "--preview", "--target-version", "py315",
             "--select", "TID254,TID255", "--exit-zero"]

# The same target as ruff's command, so that lazify rewrites with the `lazy` keyword (PEP 810): the corpus holds
# no pyproject.toml to take a target version from.
LAZIFY_ARGS = ["--target-version", "py315"]

TOOL_ORDER = ("check", "diff", "warm", "ruff", "floor")
TOOL_LABEL = {
    "check": "lazify --check",
    "diff": "lazify --diff",
    "warm": "lazify --check, cached",
    "ruff": "ruff check TID254,255",
    "floor": "parse-floor",
}

# Issue 6's targets.
TARGET_VS_RUFF = 0.75
TARGET_VS_FLOOR = 1.25
TARGET_LINEARITY = 0.10
TARGET_WARM = 0.25
TARGET_SINGLE_MS = 10.0
SINGLE_FILE_LINES = 5000


# -- corpus ---------------------------------------------------------------------------------------------------


def corpus_files(source: Path) -> list[Path]:
    """The `.py` files under `source` that every walker visits, relative to `source`."""
    found = []
    for root, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in RUFF_DEFAULT_EXCLUDES]
        for name in files:
            path = Path(root, name)
            if name.endswith(".py") and not name.startswith(".") and path.is_file():
                found.append(path.relative_to(source))
    return found


# Run by Python 3.15: prints the files (one path per stdin line) that it cannot parse.
UNPARSABLE_SCRIPT = """
import ast, sys
for line in sys.stdin:
    path = line.rstrip("\\n")
    try:
        with open(path, "rb") as f:
            ast.parse(f.read(), path)
    except (SyntaxError, ValueError):
        print(path)
"""


def unparsable(python315: str, paths: list[Path]) -> set[str]:
    """The files Python 3.15 refuses to parse; every tool would stop at them, so they stay out of the corpus."""
    out = subprocess.run([python315, "-c", UNPARSABLE_SCRIPT], input="".join(f"{p}\n" for p in paths),
                         capture_output=True, text=True, check=True).stdout
    return set(out.splitlines())


def count_lines(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return data.count(b"\n"), len(data)


def cmd_corpus(args: argparse.Namespace) -> int:
    out = Path(args.out)
    entries: list[tuple[str, Path]] = []  # (corpus-relative path, source file)
    for spec in args.sources:
        name, _, src = spec.partition("=")
        if not src or not Path(src).is_dir():
            print(f"bench.py: bad source {spec!r} (want NAME=DIR)", file=sys.stderr)
            return 2
        entries += [(f"{name}/{rel.as_posix()}", Path(src, rel)) for rel in corpus_files(Path(src))]
    bad = unparsable(args.python315, [src for _, src in entries])
    for rel, src in entries:
        if str(src) in bad:
            print(f"left out (Python 3.15 cannot parse it): {rel}", file=sys.stderr)
    entries = [(rel, src) for rel, src in entries if str(src) not in bad]
    entries.sort(key=lambda e: e[0].encode())
    shutil.rmtree(out, ignore_errors=True)
    for rel, src in entries:
        dest = out / "full" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)  # follows symlinks: the corpus holds plain files
    (out / "files-full.txt").write_text("".join(f"{rel}\n" for rel, _ in entries))
    return make_parts(out)


def tally(root: Path, rels: list[str]) -> dict:
    files = lines = size_bytes = 0
    per_source: dict[str, int] = {}
    for rel in rels:
        n, b = count_lines(root / rel)
        files, lines, size_bytes = files + 1, lines + n, size_bytes + b
        source = rel.split("/", 1)[0]
        per_source[source] = per_source.get(source, 0) + 1
    return {"files": files, "lines": lines, "bytes": size_bytes, "per_source": per_source}


def part_is_current(corpus: Path, part: str, rels: list[str]) -> bool:
    """Whether corpus/<part> and its file list already hold exactly `rels`, byte for byte as in corpus/full."""
    listing, root = corpus / f"files-{part}.txt", corpus / part
    if not listing.is_file() or listing.read_text().splitlines() != rels or not root.is_dir():
        return False
    present = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    if present != sorted(rels):
        return False
    return all(filecmp.cmp(root / rel, corpus / "full" / rel, shallow=False) for rel in rels)


def cmd_parts(args: argparse.Namespace) -> int:
    return make_parts(Path(args.corpus))


def make_parts(corpus: Path) -> int:
    """Splits corpus/full into the parts of every size (see the module's docstring) and writes counts.json.

    Idempotent: a part that already holds the right files is left as it is (so a running profile of
    corpus/quarter is not disturbed); any other is built beside it and renamed into place.
    """
    listing = corpus / "files-full.txt"
    if not listing.is_file() or not (corpus / "full").is_dir():
        print(f"bench.py: no corpus at {corpus} (want full/ and files-full.txt)", file=sys.stderr)
        return 2
    rels = sorted(listing.read_text().splitlines(), key=str.encode)
    full = tally(corpus / "full", rels)
    counts: dict[str, dict] = {}
    for size in SIZES:
        names = part_names(size)
        parts: dict[str, dict] = {}
        for k, part in enumerate(names):
            chosen = rels[k :: STEP[size]]
            if size != "full" and not part_is_current(corpus, part, chosen):
                print(f"writing {corpus / part} ({len(chosen)} files)", file=sys.stderr)
                tmp = corpus / f".{part}.tmp"
                shutil.rmtree(tmp, ignore_errors=True)
                for rel in chosen:
                    (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(corpus / "full" / rel, tmp / rel)
                shutil.rmtree(corpus / part, ignore_errors=True)
                tmp.rename(corpus / part)
                (corpus / f"files-{part}.txt").write_text("".join(f"{rel}\n" for rel in chosen))
            parts[part] = full if size == "full" else tally(corpus / part, chosen)
        total = {key: sum(p[key] for p in parts.values()) for key in ("files", "lines", "bytes")}
        # A size's parts together are the full corpus: every file once.
        joined = sorted((rel for part in names for rel in (corpus / f"files-{part}.txt").read_text().splitlines()),
                        key=str.encode)
        if joined != rels or total != {key: full[key] for key in total}:
            print(f"bench.py: the {size} parts do not add up to the full corpus: {total} against {full}",
                  file=sys.stderr)
            return 2
        per_source: dict[str, int] = {}
        for p in parts.values():
            for source, n in p["per_source"].items():
                per_source[source] = per_source.get(source, 0) + n
        # files / lines / bytes / per_source: the mean per part; "total": the parts together (= full).
        counts[size] = {**{key: mean_of(total[key], len(names)) for key in total},
                        "per_source": {source: mean_of(n, len(names)) for source, n in per_source.items()},
                        "total": total, "parts": parts}
    (corpus / "counts.json").write_text(json.dumps(counts, indent=2) + "\n")
    for size in SIZES:
        c = counts[size]
        print(f"corpus {size}: {len(c['parts'])} part(s) of {fmt_num(c['files'])} files, "
              f"{c['bytes'] / 1e6:.1f} MB on average; together {c['total']['files']} files, "
              f"{c['total']['bytes']} bytes (full: {full['files']} files, {full['bytes']} bytes)", file=sys.stderr)
    return 0


def mean_of(total: int, n: int) -> float:
    return total // n if total % n == 0 else total / n


def fmt_num(x: float) -> str:
    """An integer as such, a fractional mean with one decimal."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


# -- measuring ------------------------------------------------------------------------------------------------


class Failure(Exception):
    pass


def measure(cmd: list[str], ok_codes: set[int]) -> dict:
    """Runs `cmd` once under GNU time; returns wall and CPU seconds, peak RSS in KiB and the exit code.

    Wall and CPU come from os.wait4 on the `time` process (its rusage includes the child it waited for; `time`
    itself adds well under a millisecond). The peak RSS comes from `time`'s own `%M`: ru_maxrss of a process
    forked from this Python and exec'd would start at this Python's resident size (Linux carries the
    high-water mark across exec), while `time` forks from a process of a megabyte or two.
    """
    with tempfile.NamedTemporaryFile(mode="r") as report, tempfile.TemporaryFile() as err:
        busy_before = machine_busy()
        start = time.perf_counter()
        proc = subprocess.Popen([GNU_TIME, "-f", "%M", "-o", report.name, *cmd], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        busy = machine_busy() - busy_before
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in ok_codes:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            raise Failure(f"`{' '.join(cmd)}` exited with {code} (accepted: {sorted(ok_codes)}):\n{tail}")
        lines = report.read().split()
        if not lines or not lines[-1].isdigit():
            raise Failure(f"{GNU_TIME} gave no peak RSS for `{' '.join(cmd)}`")
        err.seek(0)
        said = err.read()[-1000:].decode(errors="replace").strip().splitlines()
    cpu = usage.ru_utime + usage.ru_stime
    # What the rest of the machine used meanwhile, as a share of all its cores (/proc/stat counts in 10 ms).
    others = max(0.0, busy - cpu) / (wall * CORES) if busy >= 0 else float("nan")
    return {"wall": wall, "cpu": cpu, "rss_kb": int(lines[-1]), "code": code, "others": others,
            "said": next((line for line in reversed(said) if "rewritten" in line), said[-1] if said else "")}


CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
USER_HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy since boot (-inf where /proc/stat is missing)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return float("-inf")
    # user nice system idle iowait irq softirq steal ...: everything but idle and iowait.
    return (sum(fields[:8]) - fields[3] - fields[4]) / USER_HZ


def tool_command(tool: str, args: argparse.Namespace, path: str) -> tuple[list[str], set[int]]:
    # `check` and `diff` run without the summary cache, as ruff runs with `--no-cache`: every run does all the
    # work. `warm` is the second run on an unchanged corpus: its cache (outside the corpus, so that no tool sees
    # it) is filled by the warm-up runs and by each part's first run.
    if tool == "check":
        return [args.lazify, *LAZIFY_ARGS, "--check", "--no-cache", path], {0, 1}  # 1: changes pending
    if tool == "diff":
        return [args.lazify, *LAZIFY_ARGS, "--diff", "--no-cache", path], {0, 1}
    if tool == "warm":
        cache = Path(tempfile.gettempdir()) / f"lazify-bench-cache-{os.getuid()}" / Path(path).name
        return [args.lazify, *LAZIFY_ARGS, "--check", "--cache-dir", str(cache), path], {0, 1}
    if tool == "ruff":
        return [args.ruff, *RUFF_ARGS, path], {0}
    if tool == "floor":
        return [args.floor, path], {0}
    raise ValueError(tool)


def rounds(tools: list[str], warmup: int, runs: int, command, quiet: QuietPolicy,
           slots: list[tuple[str, str]]) -> dict[str, dict[str, list[dict]]]:
    """Runs every tool once per round on every slot, rotating the order; returns the measured rounds per group
    (a corpus size) and tool.

    A slot is (group, part): the full corpus is one slot, the quarters four, the halves two. A round runs every
    tool on every slot of every group, the tools' order rotating with the round and the slot, and the slots in
    reverse order every other round: the sizes are measured side by side, so a machine that drifts during the
    run (other tenants, clock changes) slows every size alike instead of the size measured last. A group's
    result for a tool in a round is the mean wall and CPU time over its parts and the maximum peak RSS (see
    combine()). `command(tool, part)` gives the command line.

    A run during which other processes kept more than `quiet.max_others` of the machine busy is repeated
    (after a pause) up to `quiet.retries` times, keeping the quietest attempt: on a shared machine this keeps
    the wall times about the tools rather than about the neighbours. Runs shorter than 0.2 s are kept as they
    are (/proc/stat counts in 10 ms steps).
    """
    groups = list(dict.fromkeys(group for group, _ in slots))
    results: dict[str, dict[str, list[dict]]] = {g: {t: [] for t in tools} for g in groups}
    for r in range(warmup + runs):
        per_part: dict[str, dict[str, dict[str, dict]]] = {g: {t: {} for t in tools} for g in groups}
        order = slots if r % 2 == 0 else slots[::-1]
        for s, (group, part) in enumerate(order):
            k = (r + s) % len(tools)
            for tool in tools[k:] + tools[:k]:
                cmd, ok = command(tool, part)
                m = measure(cmd, ok)
                retries = 0
                while m["wall"] >= 0.2 and m["others"] > quiet.max_others and retries < quiet.retries:
                    retries += 1
                    time.sleep(quiet.pause)
                    again = measure(cmd, ok)
                    m = again if again["others"] < m["others"] else m
                m["retries"] = retries
                per_part[group][tool][part] = m
        if r >= warmup:
            for group in groups:
                for tool in tools:
                    by_part = per_part[group][tool]
                    results[group][tool].append(combine(by_part) if len(by_part) > 1 else next(iter(by_part.values())))
    return results


def combine(by_part: dict[str, dict]) -> dict:
    """One round of a tool over a size's parts: mean wall and CPU time, maximum peak RSS, every exit code,
    the other processes' load over the whole round (weighted by wall time), and the parts' own runs."""
    ms = list(by_part.values())
    wall_sum = sum(m["wall"] for m in ms)
    return {
        "wall": wall_sum / len(ms),
        "cpu": sum(m["cpu"] for m in ms) / len(ms),
        "rss_kb": max(m["rss_kb"] for m in ms),
        "codes": sorted({m["code"] for m in ms}),
        "others": sum(m["others"] * m["wall"] for m in ms) / wall_sum if wall_sum else 0.0,
        "retries": sum(m["retries"] for m in ms),
        "said": "; ".join(f"{part}: {m['said']}" for part, m in by_part.items() if m["said"]),
        "parts": by_part,
    }


class QuietPolicy:
    def __init__(self, max_others: float, retries: int, pause: float) -> None:
        self.max_others, self.retries, self.pause = max_others, retries, pause


def summary(ms: list[dict]) -> dict:
    walls = [m["wall"] for m in ms]
    s = {
        "wall": statistics.median(walls),
        "wall_min": min(walls),
        "wall_max": max(walls),
        "cpu": statistics.median(m["cpu"] for m in ms),
        "rss_mb": statistics.median(m["rss_kb"] for m in ms) / 1024,
        "codes": sorted({c for m in ms for c in m.get("codes", [m.get("code")])}),
        "runs": len(ms),
        "others": statistics.median(m["others"] for m in ms),
        "retries": sum(m["retries"] for m in ms),
        "said": ms[0]["said"] if ms else "",
    }
    if ms and "parts" in ms[0]:
        # Each part's own medians over the rounds (the size's figures are not medians of these).
        s["parts"] = {part: {"wall": statistics.median(m["parts"][part]["wall"] for m in ms),
                             "cpu": statistics.median(m["parts"][part]["cpu"] for m in ms),
                             "rss_mb": statistics.median(m["parts"][part]["rss_kb"] for m in ms) / 1024}
                      for part in ms[0]["parts"]}
    return s


# -- sanity checks: every tool sees the same files ------------------------------------------------------------


def check_file_counts(args: argparse.Namespace, tools: list[str], path: Path, expected: int) -> list[str]:
    notes = []
    if "floor" in tools:
        out = subprocess.run([args.floor, str(path)], capture_output=True, text=True, check=True).stdout.split()
        got = dict(zip(out[::2], map(int, out[1::2])))
        if got.get("files") != expected:
            notes.append(f"parse-floor saw {got.get('files')} files, the corpus has {expected}")
        if got.get("read_errors") or got.get("parse_errors"):
            notes.append(f"parse-floor: {got.get('read_errors')} files unreadable as UTF-8, "
                         f"{got.get('parse_errors')} with syntax errors (every tool meets the same ones)")
    if "ruff" in tools:
        out = subprocess.run([args.ruff, *RUFF_ARGS, "--show-files", str(path)], capture_output=True, text=True,
                             check=True).stdout
        got = sum(1 for line in out.splitlines() if line.strip().endswith(".py"))
        if got != expected:
            notes.append(f"ruff saw {got} files, the corpus has {expected}")
    return notes


def single_file(corpus: Path) -> tuple[Path, int]:
    """The corpus file whose line count is nearest 5,000 (ties: the first in sorted order)."""
    best: tuple[int, str, int] | None = None
    for rel in (corpus / "files-full.txt").read_text().splitlines():
        n, _ = count_lines(corpus / "full" / rel)
        key = (abs(n - SINGLE_FILE_LINES), rel, n)
        if best is None or key < best:
            best = key
    assert best is not None
    return corpus / "full" / best[1], best[2]


# -- printing -------------------------------------------------------------------------------------------------


def fmt_ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "n/a"


def machine_info() -> list[str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1048576:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return [f"machine: {cores} cores ({model}){mem}, {platform.system()} {platform.release()}",
            f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"]


def version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def cmd_run(args: argparse.Namespace) -> int:
    corpus = Path(args.corpus)
    counts = json.loads((corpus / "counts.json").read_text())
    if any("parts" not in counts.get(size, {}) for size in SIZES):
        print(f"bench.py: {corpus} is not split into quarters and halves; run `bench.py parts --corpus {corpus}` "
              "(scripts/bench.sh does)", file=sys.stderr)
        return 2
    tools = [t for t in TOOL_ORDER if t in args.tools.split(",")]
    unknown = set(args.tools.split(",")) - set(TOOL_ORDER)
    if unknown or not tools:
        print(f"bench.py: unknown tools {sorted(unknown)}; choose from {','.join(TOOL_ORDER)}", file=sys.stderr)
        return 2
    sizes = [s for s in SIZES if s in args.sizes.split(",")]
    repo = Path(__file__).resolve().parents[2]
    git_rev = version(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"])

    notes: list[str] = []
    header = machine_info()
    versions = []
    if "check" in tools or "diff" in tools or "warm" in tools:
        versions.append(f"lazify: commit {git_rev}")
    if "ruff" in tools:
        versions.append(version([args.ruff, "--version"]))
    versions.append(f"runs: {args.warmup} warm-up + {args.runs} measured per tool and size, alternating, "
                    "all sizes in every round")
    header.append("; ".join(versions))
    header.append("quarter and half: the sorted file list is partitioned into 4 quarters (files[k::4]) and 2 halves "
                  "(files[k::2]), each size's parts together exactly the full corpus; in every round each tool runs "
                  "every part, and the size's wall and CPU time is the mean over its parts, its peak RSS the "
                  "maximum; files, lines and MB of quarter and half are means per part")
    header.append(f"a run during which other processes used more than {args.max_others:.0%} of the machine is "
                  f"repeated up to {args.retries} times ({args.pause:g} s apart), keeping the quietest")
    header.append("commands (PATH = corpus/full, or each part: corpus/quarter, corpus/quarter-1..3, corpus/half, "
                  "corpus/half-1):")
    for tool in tools:
        cmd, ok = tool_command(tool, args, "PATH")
        redirect = " > /dev/null" if tool == "diff" else ""
        header.append(f"  {TOOL_LABEL[tool]:<22} {' '.join(Path(cmd[0]).name if i == 0 else c for i, c in enumerate(cmd))}"
                      f"{redirect}   (exit codes accepted: {','.join(map(str, sorted(ok)))})")
    for line in header:
        print(line)
    print()

    full = counts["full"]
    for size in sizes:
        c = counts[size]
        sources = ", ".join(f"{name} {fmt_num(n)}" for name, n in c["per_source"].items())
        if size == "full":
            print(f"corpus {size}: {c['files']} files ({sources}), {c['lines']:,} lines, {c['bytes'] / 1e6:.1f} MB")
            continue
        t = c["total"]
        part_mb = ", ".join(f"{p['bytes'] / 1e6:.2f}" for p in c["parts"].values())
        listed = sorted((rel for part in c["parts"] for rel in (corpus / f"files-{part}.txt").read_text().splitlines()),
                        key=str.encode)
        adds_up = (t["files"] == full["files"] and t["lines"] == full["lines"] and t["bytes"] == full["bytes"]
                   and listed == sorted((corpus / "files-full.txt").read_text().splitlines(), key=str.encode))
        print(f"corpus {size}: {len(c['parts'])} parts ({', '.join(c['parts'])}) of on average {fmt_num(c['files'])} "
              f"files ({sources}), {fmt_num(c['lines'])} lines, {c['bytes'] / 1e6:.2f} MB "
              f"(parts: {part_mb} MB); together "
              f"{t['files']} files, {t['lines']:,} lines, {t['bytes']:,} bytes: "
              f"{'the full corpus' if adds_up else 'NOT the full corpus'}")
        if not adds_up:
            notes.append(f"the {size} parts do not add up to the full corpus; delete {corpus} and run bench.sh")
    print()

    quiet = QuietPolicy(args.max_others, args.retries, args.pause)
    for size in sizes:
        c = counts[size]
        for part, pc in c["parts"].items():
            notes += [f"{part}: {n}" for n in check_file_counts(args, tools, corpus / part, pc["files"])]
    slots = [(size, part) for size in sizes for part in counts[size]["parts"]]
    print(f"measuring {', '.join(sizes)} side by side ({len(slots)} corpus runs per tool and round) ...",
          file=sys.stderr, flush=True)
    try:
        raw = rounds(tools, args.warmup, args.runs,
                     lambda t, part: tool_command(t, args, str(corpus / part)), quiet, slots)
    except Failure as e:
        print(f"bench.py: {e}", file=sys.stderr)
        return 2
    results: dict[str, dict[str, dict]] = {size: {t: summary(ms) for t, ms in raw[size].items()} for size in sizes}

    single = None
    if args.single_runs > 0 and any(t in tools for t in ("check", "diff", "floor")):
        file, lines = single_file(corpus)
        single_tools = [t for t in ("check", "diff", "floor", "ruff") if t in tools]
        print(f"measuring one {lines}-line file ...", file=sys.stderr, flush=True)
        try:
            raw_single = rounds(single_tools, 2, args.single_runs, lambda t, _: tool_command(t, args, str(file)),
                                quiet, [("single", "")])["single"]
        except Failure as e:
            print(f"bench.py: {e}", file=sys.stderr)
            return 2
        single = {"file": str(file.relative_to(corpus / "full")), "lines": lines,
                  "results": {t: summary(ms) for t, ms in raw_single.items()}}
        # The editor's case: the engine alone, in process (analysis, rewrite and the re-parse check).
        if args.engine and Path(args.engine).is_file():
            out = subprocess.run([args.engine, str(file), str(max(args.single_runs, 20))],
                                 capture_output=True, text=True)
            match = re.search(r"median ([0-9.]+) ms, min ([0-9.]+) ms", out.stdout)
            if out.returncode == 0 and match:
                single["in_process_ms"] = float(match.group(1))
                single["in_process_line"] = out.stdout.strip()
            else:
                notes.append(f"the in-process timer failed: {out.stderr.strip() or out.stdout.strip()}")

    # The main table.
    print("| corpus | files | lines | tool | wall (s) | wall min-max (s) | CPU user+sys (s) | peak RSS (MB) "
          "| others' load |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for size in sizes:
        c = counts[size]
        for tool in tools:
            s = results[size][tool]
            label = size if size == "full" else f"{size} (mean of {len(c['parts'])})"
            print(f"| {label} | {fmt_num(c['files'])} | {fmt_num(c['lines'])} | {TOOL_LABEL[tool]} | {s['wall']:.3f} | "
                  f"{s['wall_min']:.3f}-{s['wall_max']:.3f} | {s['cpu']:.3f} | {s['rss_mb']:.1f} | "
                  f"{s['others']:.0%} |")
    repeated = sum(s["retries"] for size in sizes for s in results[size].values())
    print(f"\nruns repeated because the machine was busy: {repeated}; \"others' load\" is the median share of "
          "the machine that other processes used during a tool's runs")
    print()

    said = [f"{TOOL_LABEL[tool]} on {size} says: {results[size][tool]['said']}"
            for size in sizes for tool in ("check", "diff", "warm")
            if tool in results[size] and results[size][tool]["said"]]
    if said:
        print("\n".join(said) + "\n")

    # Ratios from the same run.
    # Paired: the median over rounds of the ratio within each round. Two tools' runs in one round are seconds
    # apart, so a machine whose speed drifts over minutes (a shared host) cancels out of each round's ratio,
    # where a ratio of medians taken over the whole run keeps it.
    def paired(size: str, a: str, b: str, key: str, size_b: str | None = None) -> float | None:
        size_b = size_b or size
        if a not in raw[size] or b not in raw[size_b]:
            return None
        k = "rss_kb" if key == "rss_mb" else key
        return statistics.median(x[k] / y[k] for x, y in zip(raw[size][a], raw[size_b][b], strict=True))

    lazy_tools = [t for t in ("check", "diff", "warm") if t in tools]
    if lazy_tools:
        print("ratios: the median over the rounds of each round's ratio (the two runs seconds apart)")
        print("| corpus | ratio | wall | CPU | peak RSS |")
        print("| --- | --- | ---: | ---: | ---: |")
        for size in sizes:
            for lt in lazy_tools:
                for other in ("ruff", "floor"):
                    if other in tools:
                        print(f"| {size} | {TOOL_LABEL[lt]} / {TOOL_LABEL[other].split()[0]} | "
                              f"{fmt_ratio(paired(size, lt, other, 'wall'), 1.0)} | "
                              f"{fmt_ratio(paired(size, lt, other, 'cpu'), 1.0)} | "
                              f"{fmt_ratio(paired(size, lt, other, 'rss_mb'), 1.0)} |")
        print()
    if "ruff" in tools and "floor" in tools:
        print("floor / ruff wall: " + ", ".join(
            f"{size} {fmt_ratio(paired(size, 'floor', 'ruff', 'wall'), 1.0)}" for size in sizes))
        print()

    # Linearity: wall time per byte of corpus, relative to the full corpus (1.00 = proportional).
    linear = {}
    if "full" in sizes and len(sizes) > 1:
        print("linearity: wall time per MB of source, relative to the full corpus in the same round (median over "
              "rounds; 1.00 = proportional; CPU in brackets; quarter and half: mean over parts that together are "
              "the full corpus, so the same work, and what differs from 1.00 is the cost of the run's size itself)")
        print("| tool | " + " | ".join(sizes) + " |")
        print("| --- |" + " ---: |" * len(sizes))
        for tool in tools:
            cells = []
            for size in sizes:
                # Per round: this size's time per byte over the full corpus's in the same round.
                scale = counts["full"]["bytes"] / counts[size]["bytes"]
                w = paired(size, tool, tool, "wall", "full") * scale
                cpu = paired(size, tool, tool, "cpu", "full") * scale
                linear[(tool, size)] = w
                cells.append(f"{w:.2f} ({cpu:.2f})")
            print(f"| {TOOL_LABEL[tool]} | " + " | ".join(cells) + " |")
        print()

    if single:
        print(f"one file of {single['lines']} lines ({single['file']}), median of {args.single_runs} runs, "
              "whole process (start-up included):")
        for tool, s in single["results"].items():
            print(f"  {TOOL_LABEL[tool]:<22} {s['wall'] * 1000:7.1f} ms wall, {s['cpu'] * 1000:7.1f} ms CPU, "
                  f"{s['rss_mb']:.1f} MB")
        if "in_process_line" in single:
            print(f"  engine alone, {single['in_process_line']}")
        print()

    # Issue 6's targets.
    if "check" in tools and "full" in sizes:
        print("targets (issue 6), full corpus:")
        verdicts = []
        if "ruff" in tools:
            r = paired("full", "check", "ruff", "wall")
            verdicts.append((f"lazify --check wall <= {TARGET_VS_RUFF}x ruff", r <= TARGET_VS_RUFF, f"{r:.2f}x"))
            m = paired("full", "check", "ruff", "rss_mb")
            verdicts.append(("lazify --check peak RSS <= ruff's", m <= 1.0, f"{m:.2f}x"))
        if "floor" in tools:
            r = paired("full", "check", "floor", "wall")
            verdicts.append((f"lazify --check wall <= {TARGET_VS_FLOOR}x floor", r <= TARGET_VS_FLOOR, f"{r:.2f}x"))
        if linear:
            worst = max(abs(linear[("check", s)] - 1.0) for s in sizes)
            verdicts.append((f"lazify --check linear within {TARGET_LINEARITY:.0%}", worst <= TARGET_LINEARITY,
                             f"worst {worst:+.0%}"))
        if "warm" in tools:
            r = paired("full", "warm", "check", "wall")
            c = paired("full", "warm", "check", "cpu")
            verdicts.append((f"second run (summary cache) <= {TARGET_WARM}x the first (issue 11)", r <= TARGET_WARM,
                             f"{r:.2f}x wall, {c:.2f}x CPU"))
        if single and "in_process_ms" in single:
            ms = single["in_process_ms"]
            verdicts.append((f"{single['lines']}-line file analysed and rewritten < {TARGET_SINGLE_MS:.0f} ms "
                             "(in process, as the editor runs it)", ms < TARGET_SINGLE_MS, f"{ms:.1f} ms"))
        if single and "diff" in single["results"]:
            ms = single["results"]["diff"]["wall"] * 1000
            verdicts.append((f"{single['lines']}-line file, lazify --diff < {TARGET_SINGLE_MS:.0f} ms (whole process; "
                             "the target is for the editor, in process)",
                             ms < TARGET_SINGLE_MS, f"{ms:.1f} ms"))
        for name, ok, value in verdicts:
            print(f"  {'MET' if ok else 'MISSED':<6}  {name}: {value}")
        print()

    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for note in notes:
        print(f"note: {note}")

    if args.json:
        Path(args.json).write_text(json.dumps(
            {"header": header, "counts": counts, "results": results, "rounds": raw, "single": single,
             "notes": notes},
            indent=2) + "\n")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("corpus", help="copy the corpus into OUT/full and split it into quarters and halves")
    p.add_argument("--out", required=True)
    p.add_argument("--python315", required=True, help="drops the files this interpreter cannot parse")
    p.add_argument("sources", nargs="+", metavar="NAME=DIR")
    p.set_defaults(func=cmd_corpus)
    p = sub.add_parser("parts", help="split CORPUS/full into its quarters and halves (keeps parts already right)")
    p.add_argument("--corpus", required=True)
    p.set_defaults(func=cmd_parts)
    p = sub.add_parser("run", help="measure and print the tables")
    p.add_argument("--corpus", required=True)
    p.add_argument("--lazify", required=True)
    p.add_argument("--floor", required=True)
    p.add_argument("--ruff", required=True)
    p.add_argument("--engine", help="lazify_core's example single_file: times the engine in process")
    p.add_argument("--tools", default=",".join(TOOL_ORDER))
    p.add_argument("--sizes", default=",".join(SIZES))
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--single-runs", type=int, default=20)
    p.add_argument("--json")
    p.add_argument("--max-others", type=float, default=0.15,
                   help="repeat a run when other processes used more than this share of the machine (0-1)")
    p.add_argument("--retries", type=int, default=3, help="how often to repeat such a run")
    p.add_argument("--pause", type=float, default=2.0, help="seconds to wait before repeating it")
    p.set_defaults(func=cmd_run)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
