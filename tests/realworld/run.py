#!/usr/bin/env python3
"""Proof on real projects: rewrite well-known packages with lazify, run their own test suites, measure start-up.

For every project in projects.toml (or the ones named on the command line):

1. fetch the sdist from PyPI (pip download, cached), unpack it, make one venv per interpreter with the project and
   its pinned test dependencies;
2. run its tests on the original source: the baseline (per test id: passed, failed, skipped, ...);
3. for every style (`lazy` and `lazy --hoist` and `lazy-modules` on 3.15; `lazy-modules` and `local` on 3.11): copy
   the source, `lazify --write` the package (never its tests), put the copy first on PYTHONPATH and run the same
   tests. A test that passed on the original and does not pass now is a regression: the harness prints the test ids,
   the failure and the diff of the rewritten files the failure names, and exits 1;
4. `lazify --check` on the rewritten package must find nothing, and again after `ruff check --select I --fix` and
   `ruff format` on it;
5. on 3.15, `lazify measure` per style: the main module imported in fresh interpreters, the original and the
   rewritten copy taking turns, with `-X lazy_imports=all` as the reference; the median time, modules loaded and
   peak RSS, and the costliest imports the rewrite keeps.

Downloads, venvs and work trees live under ${XDG_CACHE_HOME:-~/.cache}/lazify-realworld, never in the repository.
Runs on Python 3.11+ (tomllib); needs `python3.11`-compatible `python3`, Python 3.15 (env LAZIFY_PYTHON315) and
ruff 0.17.5 (env LAZIFY_RUFF).

    python3 tests/realworld/run.py --lazify target/release/lazify --runs 15 --results tests/realworld/results.md
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
README_START = "<!-- realworld:start -->"
README_END = "<!-- realworld:end -->"

# (label, python, lazify flags). The first style on each interpreter is measured at start-up when on 3.15.
STYLES = [
    ("lazy", "3.15", ["--style", "lazy", "--target-version", "py315"]),
    ("lazy --hoist", "3.15", ["--style", "lazy", "--hoist", "--target-version", "py315"]),
    ("lazy-modules", "3.15", ["--style", "lazy-modules", "--target-version", "py315"]),
    ("lazy-modules", "3.11", ["--style", "lazy-modules", "--target-version", "py311"]),
    ("local", "3.11", ["--style", "local", "--target-version", "py311"]),
]

PASSED = "passed"
# Regressions printed with their traceback and diff per style; the rest get one line each.
DETAILED_REGRESSIONS = 5
# One test-suite run may take this long (seconds); the slowest takes under a minute on two busy cores.
TEST_TIMEOUT = 600


def log(message: str) -> None:
    print(f"[realworld {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run([str(c) for c in cmd], text=True, capture_output=True, check=False, **kwargs)


def checked(cmd: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    proc = run(cmd, **kwargs)
    if proc.returncode != 0:
        raise SystemExit(
            f"command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    return proc


@dataclass
class Project:
    name: str
    shape: str
    version: str
    package: str
    path: str
    module: str
    use: str
    tests: list[str]
    deps: list[str]
    pythons: list[str]
    # filled in as the run goes
    src: Path = Path()
    failures: list[str] = field(default_factory=list)


@dataclass
class Env:
    cache: Path
    lazify: Path
    ruff: Path
    pythons: dict[str, Path]  # "3.15" -> interpreter used to make venvs
    pytest: str


# ---------------------------------------------------------------------------------------------------------------
# set-up: sdists, venvs


def fetch(env: Env, p: Project) -> Path:
    """Download (once) and unpack (fresh) the sdist; return the unpacked root."""
    sdists = env.cache / "sdists"
    sdists.mkdir(parents=True, exist_ok=True)
    stem = f"{p.name}-{p.version}".lower().replace("-", "_")

    def matching() -> list[Path]:
        return [f for f in sdists.glob("*.tar.gz") if f.name.lower().replace("-", "_") == f"{stem}.tar.gz"]

    found = matching()
    if not found:
        log(f"{p.name}: downloading sdist {p.version}")
        checked(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-binary",
                p.name,
                "-d",
                sdists,
                f"{p.name}=={p.version}",
            ]
        )
        found = matching()
    if len(found) != 1:
        raise SystemExit(f"{p.name}: expected one sdist {stem}.tar.gz in {sdists}, found {found}")
    work = env.cache / "work" / p.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    with tarfile.open(found[0]) as tar:
        tar.extractall(work, filter="data")
    (root,) = [d for d in work.iterdir() if d.is_dir()]
    orig = work / "original"
    root.rename(orig)
    if not (orig / p.package).is_dir():
        raise SystemExit(f"{p.name}: the sdist has no {p.package}/")
    # The paths come first; after the first option, arguments may be option values (`-m "not network"`).
    for t in p.tests:
        if t.startswith("-"):
            break
        if not (orig / t).exists():
            raise SystemExit(f"{p.name}: the sdist has no {t} (its tests)")
    return orig


def venv(env: Env, p: Project, py: str) -> Path:
    """A venv with the project (for its metadata and entry points) and its pinned test dependencies."""
    spec = json.dumps([env.pytest, *p.deps, p.version, str(env.pythons[py])])
    key = hashlib.sha256(spec.encode()).hexdigest()[:12]
    d = env.cache / "venvs" / f"{p.name}-py{py.replace('.', '')}"
    stamp = d / ".lazify-realworld"
    if stamp.is_file() and stamp.read_text() == key:
        return d
    log(f"{p.name}: making the Python {py} venv")
    shutil.rmtree(d, ignore_errors=True)
    d.parent.mkdir(parents=True, exist_ok=True)
    mkvenv = env.pythons[py].parent / "mkvenv"
    if py != "3.11" and mkvenv.is_file():
        checked(["bash", mkvenv, d])
    else:
        checked([env.pythons[py], "-m", "venv", d])
    pip = [d / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    checked([*pip, env.pytest, *p.deps])
    checked([*pip, "--no-deps", p.src])
    stamp.write_text(key)
    return d


# ---------------------------------------------------------------------------------------------------------------
# tests


def run_tests(p: Project, tree: Path, venv_dir: Path, label: str) -> dict[str, tuple[str, str]]:
    """Run the project's tests on `tree`; return {test id: (outcome, message)}."""
    xml = tree.parent / f"junit-{label.replace(' ', '_')}.xml"
    xml.unlink(missing_ok=True)
    envvars = dict(os.environ)
    envvars["PYTHONPATH"] = str(tree / p.path)
    envvars.pop("PYTHONSTARTUP", None)
    envvars["PY_COLORS"] = "0"
    envvars["NO_COLOR"] = "1"
    t0 = time.monotonic()
    try:
        proc = run(
            [
                venv_dir / "bin" / "python",
                "-m",
                "pytest",
                "-p",
                "no:cacheprovider",
                "-q",
                "--no-header",
                "-o",
                "console_output_style=classic",
                # a test that hangs prints every thread's stack (see the timeout below)
                "-o",
                "faulthandler_timeout=120",
                f"--junitxml={xml}",
                *p.tests,
            ],
            cwd=tree,
            env=envvars,
            timeout=TEST_TIMEOUT,
        )
    except subprocess.TimeoutExpired as e:
        out = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        raise SystemExit(f"{p.name} [{label}]: the tests did not finish in {TEST_TIMEOUT}s\n{out[-6000:]}") from None
    if not xml.is_file():
        raise SystemExit(
            f"{p.name} [{label}]: pytest wrote no report (exit {proc.returncode})\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    results: dict[str, tuple[str, str]] = {}
    for case in ET.parse(xml).iter("testcase"):
        tid = f"{case.get('classname', '')}::{case.get('name', '')}"
        outcome, message = PASSED, ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed" if child.tag == "failure" else "error"
                text = child.text or ""
                message = (
                    (child.get("message") or "").strip() + "\n" + (text if len(text) < 3000 else "...\n" + text[-3000:])
                )
                break
            if child.tag == "skipped":
                outcome = "skipped"
        if tid in results and results[tid][0] == PASSED and outcome != PASSED:
            pass  # an error in teardown after a pass: keep the worse outcome below
        if tid not in results or outcome != PASSED:
            results[tid] = (outcome, message)
    counts = collections.Counter(o for o, _ in results.values())
    log(f"{p.name} [{label}]: {dict(sorted(counts.items()))} in {time.monotonic() - t0:.0f}s")
    return results


# ---------------------------------------------------------------------------------------------------------------
# lazify


def lazify(env: Env, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run([env.lazify, "--color", "never", *args], cwd=cwd)


def rewrite(env: Env, p: Project, label: str, flags: list[str], python: Path) -> Path:
    tree = p.src.parent / f"style-{label.replace(' ', '_')}-{flags[-1]}"
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(p.src, tree, ignore=shutil.ignore_patterns("__pycache__"))
    # The project's venv is the target environment: its installed dependencies are read for their effects.
    proc = lazify(env, ["--write", "--quiet", "--python", str(python), *flags, p.package], tree)
    if proc.returncode != 0:
        p.failures.append(
            f"{p.name} [{label} {flags[-1]}]: lazify --write exited {proc.returncode}\n{proc.stdout}{proc.stderr}"
        )
    return tree


def check_converged(env: Env, p: Project, tree: Path, label: str, flags: list[str], python: Path) -> None:
    """A second lazify run finds nothing; nor does one after ruff's import sorting and formatting."""
    flags = ["--python", str(python), *flags]
    proc = lazify(env, ["--check", *flags, p.package], tree)
    if proc.returncode != 0:
        p.failures.append(
            f"{p.name} [{label} {flags[-1]}]: a second lazify run is not clean (exit {proc.returncode})\n{proc.stdout}{proc.stderr}"
        )
    ruffed = tree.parent / (tree.name + "-ruff")
    shutil.rmtree(ruffed, ignore_errors=True)
    shutil.copytree(tree, ruffed, ignore=shutil.ignore_patterns("__pycache__"))
    # Only the rewritten package, with ruff's defaults plus the project's own configuration (as a user would).
    run([env.ruff, "check", "--select", "I", "--fix", "--quiet", "--exit-zero", p.package], cwd=ruffed)
    fmt = run([env.ruff, "format", "--quiet", p.package], cwd=ruffed)
    if fmt.returncode != 0:
        log(f"{p.name} [{label}]: ruff format exited {fmt.returncode}: {fmt.stderr.strip()[:300]}")
    proc = lazify(env, ["--check", *flags, p.package], ruffed)
    if proc.returncode != 0:
        p.failures.append(
            f"{p.name} [{label} {flags[-1]}]: lazify is not clean after ruff check --select I --fix and ruff format (exit {proc.returncode})\n{proc.stdout}{proc.stderr}"
        )
    shutil.rmtree(ruffed, ignore_errors=True)


def diff_for(p: Project, tree: Path, message: str) -> str:
    """The diff of the rewritten files a failure message names (all rewritten files if it names none)."""
    proc = run(["diff", "-ru", "-x", "__pycache__", p.package, tree / p.package], cwd=p.src)
    chunks = proc.stdout.split("\ndiff -ru ")
    named = [c for c in chunks if any(part and part in message for part in _diff_paths(c))]
    return "\ndiff -ru ".join(named or chunks)[:20000]


def _diff_paths(chunk: str) -> list[str]:
    first = chunk.splitlines()[0] if chunk else ""
    return [
        Path(w).name == "__init__.py" and str(Path(w).parent.name) + "/__init__.py" or Path(w).name
        for w in first.split()
        if w.endswith(".py")
    ]


def compare(
    p: Project, base: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]], tree: Path, label: str
) -> int:
    regressions = sorted(t for t, (o, _) in base.items() if o == PASSED and after.get(t, ("missing", ""))[0] != PASSED)
    for i, t in enumerate(regressions):
        outcome, message = after.get(t, ("missing", "the test was not collected"))
        head = f"REGRESSION {p.name} [{label}]: {t} passed on the original, {outcome} after lazify"
        if i < DETAILED_REGRESSIONS:
            diff = diff_for(p, tree, message)
            p.failures.append(f"{head}\n{message.strip()}\n--- diff of the rewritten files involved ---\n{diff}")
        else:  # the same cause, most likely: the id and the error line are enough
            p.failures.append(f"{head}: {message.strip().splitlines()[0] if message.strip() else ''}")
    return len(regressions)


# ---------------------------------------------------------------------------------------------------------------
# start-up

def measure(
    env: Env, p: Project, python: Path, runs: int, styles: list[tuple[str, str, list[str]]]
) -> tuple[dict[str, list[float]], list[dict]]:
    """`lazify measure` per 3.15 style, on the original source: each call copies the project, rewrites the copy as
    `--write` would and imports the module in fresh interpreters, original and rewritten copy taking turns, with
    `-X lazy_imports=all` as the reference.

    Returns per variant the medians of: import seconds, import and first use seconds, modules loaded by both, peak
    RSS KiB, modules loaded by the import alone; and the costliest kept import statements of style `lazy` (from
    `lazify measure`'s ranking). `styles`: the 3.15 styles to measure (`lazy` always is, as the reference of the
    3.11 table).
    """
    startup: dict[str, list[float]] = {}
    kept: list[dict] = []
    for label, py, flags in STYLES:
        if py != "3.15" or (label != "lazy" and (label, py, flags) not in styles):
            continue
        args = [env.lazify, "measure", p.package, "--module", p.module, "--use", p.use, "--python", python]
        args += ["--runs", str(runs), "--output-format", "json", *flags]
        proc = run(args, cwd=p.src)
        if proc.returncode != 0:
            p.failures.append(f"{p.name} [{label}]: lazify measure exited {proc.returncode}\n{proc.stderr[-4000:]}")
            continue
        m = json.loads(proc.stdout)

        def row(f: dict) -> list[float]:
            use = f["use"]
            return [
                f["time_ms"] / 1000,
                (f["time_ms"] + use["time_ms"]) / 1000,
                use["modules"],
                use["rss_mib"] * 1024,
                f["modules"],
            ]

        startup.setdefault("original", row(m["before"]))
        if "limit" in m:
            startup.setdefault("all lazy", row(m["limit"]))
        startup[label] = row(m["after"])
        if label == "lazy":
            kept = [i for i in m["imports"] if i["verdict"] != "rewrite" and i["after_modules"]][:3]
    return startup, kept


def measure_local_311(env: Env, p: Project, python: Path, runs: int) -> dict[str, list[float]]:
    """`lazify measure --style local` with the project's Python 3.11 venv: import seconds, import and first use
    seconds, modules loaded by both, peak RSS KiB, modules loaded by the import alone, for the original and the
    rewritten copy (no all-lazy reference: `-X lazy_imports` does not exist before 3.15)."""
    args = [env.lazify, "measure", p.package, "--module", p.module, "--use", p.use, "--python", python]
    args += ["--runs", str(runs), "--output-format", "json", "--style", "local", "--target-version", "py311"]
    proc = run(args, cwd=p.src)
    if proc.returncode != 0:
        p.failures.append(f"{p.name} [local 3.11]: lazify measure exited {proc.returncode}\n{proc.stderr[-4000:]}")
        return {}
    m = json.loads(proc.stdout)

    def row(f: dict) -> list[float]:
        use = f["use"]
        return [
            f["time_ms"] / 1000,
            (f["time_ms"] + use["time_ms"]) / 1000,
            use["modules"],
            use["rss_mib"] * 1024,
            f["modules"],
        ]

    return {"original": row(m["before"]), "local": row(m["after"])}


# Reasons that come from what other modules do (issue 11): every import kept for one is listed in the results.
CROSS_MODULE_REASONS = ("imported-module-has-effects", "checked-in-sys-modules", "import-guarded-elsewhere")


def explain(env: Env, p: Project, python: Path) -> tuple[collections.Counter[tuple[str, str]], list[str]]:
    """Verdict counts, and one line per import kept because of another module (with the effect and its place)."""
    proc = lazify(
        env,
        [
            "--explain",
            "--output-format",
            "json",
            "--style",
            "lazy",
            "--target-version",
            "py315",
            "--python",
            str(python),
            p.package,
        ],
        p.src,
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{p.name}: lazify --explain failed ({proc.returncode}): {proc.stderr}")
    # `{"version": 1, "findings": [...], "errors": [...]}` (a bare array before version 1).
    report = json.loads(proc.stdout)
    verdicts = report["findings"] if isinstance(report, dict) else report
    kept = []
    for d in verdicts:
        if d["reason"] not in CROSS_MODULE_REASONS:
            continue
        where = d["message"].rsplit(" (", 1)[-1].rstrip(")") if "(" in d["message"] else ""
        chain = d.get("chain")
        if chain:
            last = chain["steps"][-1]
            path = last.get("path") or "built-in table"
            for marker in ("site-packages/", str(p.src) + "/"):
                if marker in path:
                    path = path.split(marker, 1)[1]
            where = f"{chain['kind']}: `{path}:{last['line']}`: `{last['text']}`"
        kept.append(f"`{d['path']}:{d['line']}` `{d['module']}` ({d['reason']}; {where})")
    return collections.Counter((d["decision"], d["reason"]) for d in verdicts), kept


# ---------------------------------------------------------------------------------------------------------------


def process(
    env: Env, p: Project, runs: int, measure_only: bool, styles: list[tuple[str, str, list[str]]]
) -> dict:
    p.src = fetch(env, p)
    out: dict = {"name": p.name, "shape": p.shape, "version": p.version, "module": p.module, "use": p.use, "tests": {}}
    venvs = {py: venv(env, p, py) for py in p.pythons}
    baselines = {}
    if not measure_only:
        for py in p.pythons:
            if not any(s[1] == py for s in styles):
                continue
            baselines[py] = run_tests(p, p.src, venvs[py], f"original-py{py}")
            passing = sum(o == PASSED for o, _ in baselines[py].values())
            out["tests"][f"original {py}"] = passing
            if passing < len(baselines[py]) / 2:
                # A suite that mostly fails on the original (a missing test dependency, a collection error) proves
                # nothing about the rewrite.
                p.failures.append(
                    f"{p.name}: only {passing} of {len(baselines[py])} tests pass on the original source "
                    f"on Python {py}: fix the project's test set-up in projects.toml"
                )
    for label, py, flags in styles:
        if py not in p.pythons or measure_only:
            continue
        python = venvs[py] / "bin" / "python"
        tree = rewrite(env, p, label, flags, python)
        check_converged(env, p, tree, label, flags, python)
        after = run_tests(p, tree, venvs[py], f"{label}-py{py}")
        n = compare(p, baselines[py], after, tree, f"{label}, Python {py}")
        out["tests"][f"{label} {py}"] = (sum(o == PASSED for o, _ in after.values()), n)
    if "3.15" in p.pythons:
        log(f"{p.name}: measuring start-up with lazify measure ({runs} runs per variant)")
        out["startup"], out["kept"] = measure(env, p, venvs["3.15"] / "bin" / "python", runs, styles)
    if "3.11" in p.pythons and any(label == "local" and py == "3.11" for label, py, _ in styles):
        log(f"{p.name}: measuring start-up on Python 3.11 after style local ({runs} runs per variant)")
        out["startup_311"] = measure_local_311(env, p, venvs["3.11"] / "bin" / "python", runs)
    python = venvs[p.pythons[0]] / "bin" / "python"
    counts, kept = explain(env, p, python)
    out["verdicts"] = {f"{d} {r}": n for (d, r), n in counts.most_common()}
    out["cross_module_kept"] = kept
    return out


VARIANTS = ("original", "lazy", "lazy --hoist", "lazy-modules", "all lazy")


def table(results: list[dict], runs: int) -> str:
    lines = [
        (
            f"Start-up on Python 3.15, median of {runs} fresh interpreters per variant, the variants taking turns. "
            "*import*: `import MODULE`; *+ use*: the import and a first use of the main API (where a lazy import's "
            "cost moves). *captured*: the share of the all-lazy saving (`-X lazy_imports=all`, the limit no safe "
            "tool can beat) that `lazify --style lazy` keeps. Modules loaded by the import and the use, and peak RSS "
            "(VmHWM) after the use. Measured with `lazify measure --style STYLE` (one call per style)."
        ),
        "",
        "| project | measured | original | lazy | lazy --hoist | lazy-modules | all lazy | captured | modules (orig → lazy / all lazy) | peak RSS MiB (orig → lazy / all lazy) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        s = r.get("startup")
        if not s:
            continue
        mods = f"{s['original'][2]:.0f} → {s['lazy'][2]:.0f} / {s['all lazy'][2]:.0f}"
        rss = f"{s['original'][3] / 1024:.1f} → {s['lazy'][3] / 1024:.1f} / {s['all lazy'][3] / 1024:.1f}"
        for column, what in ((0, f"`import {r['module']}`"), (1, f"+ `{r['use']}`")):
            ms = {k: v[column] * 1000 for k, v in s.items()}
            saving = ms["original"] - ms["all lazy"]
            captured = f"{(ms['original'] - ms['lazy']) / saving:.0%}" if saving > 0.05 * ms["original"] else "n/a"
            cells = [f"{ms[k]:.1f} ms" if k in ms else "n/a" for k in VARIANTS]
            name = f"{r['name']} {r['version']} ({r['shape']})" if column == 0 else ""
            tail = f"{mods} | {rss}" if column == 1 else " | "
            lines.append(f"| {name} | {what} | {' | '.join(cells)} | {captured} | {tail} |")
    lines += [
        "",
        (
            "Start-up on Python 3.11 with style `local` (`lazify measure --style local --target-version py311` with "
            f"the project's 3.11 venv, median of {runs} fresh interpreters per variant), next to style `lazy` on "
            "3.15. *modules*: modules the import alone adds to `sys.modules`. *share*: the 3.11 saving in modules "
            "as a share of the 3.15 `lazy` saving."
        ),
        "",
        "| project | 3.11 `import` original → local | + use | 3.11 modules original → local | 3.15 modules original → lazy | share |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    saved_311 = saved_315 = 0.0
    for r in results:
        s11, s15 = r.get("startup_311"), r.get("startup")
        if not s11 or not s15 or "lazy" not in s15:
            continue
        o11, l11 = s11["original"], s11["local"]
        o15, l15 = s15["original"], s15["lazy"]
        d11, d15 = o11[4] - l11[4], o15[4] - l15[4]
        saved_311 += d11
        saved_315 += d15
        share = f"{d11 / d15:.0%}" if d15 > 0 else "n/a"
        lines.append(
            f"| {r['name']} {r['version']} | {o11[0] * 1000:.1f} → {l11[0] * 1000:.1f} ms | "
            f"{o11[1] * 1000:.1f} → {l11[1] * 1000:.1f} ms | {o11[4]:.0f} → {l11[4]:.0f} | "
            f"{o15[4]:.0f} → {l15[4]:.0f} | {share} |"
        )
    if saved_315 > 0:
        lines.append(
            f"| all | | | {saved_311:.0f} saved | {saved_315:.0f} saved | {saved_311 / saved_315:.0%} |"
        )
    lines += [
        "",
        (
            "The costliest imports style `lazy` keeps (`lazify measure`'s ranking: what each statement still loads "
            "itself, at import or first use, with its keep reason):"
        ),
        "",
        "| project | statement | reason | time | modules | heaviest packages |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    for r in results:
        for n, k in enumerate(r.get("kept") or []):
            where = f"`{k['path'].split('/', 1)[-1] if k['path'].startswith('src/') else k['path']}:{k['line']}`"
            statement = k["statement"] if len(k["statement"]) <= 60 else k["statement"][:59] + "…"
            lines.append(
                f"| {r['name'] if n == 0 else ''} | {where} `{statement}` | {k['reason']} | "
                f"{k['after_cost_ms']:.1f} ms | {k['after_modules']} | {', '.join(k['heaviest'])} |"
            )
    lines += [
        "",
        "Test suites (tests passing on the original → passing after the rewrite; regressions must be 0):",
        "",
        "| project | 3.15: original | lazy | lazy --hoist | lazy-modules | 3.11: original | lazy-modules | local |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        t = r["tests"]
        if not t:
            continue

        def cell(key: str, t: dict = t) -> str:
            v = t.get(key)
            if v is None:
                return "n/a"
            if isinstance(v, int):
                return str(v)
            return f"{v[0]}" + (f" (**{v[1]} regressed**)" if v[1] else "")

        cols = [
            "original 3.15",
            "lazy 3.15",
            "lazy --hoist 3.15",
            "lazy-modules 3.15",
            "original 3.11",
            "lazy-modules 3.11",
            "local 3.11",
        ]
        lines.append(f"| {r['name']} | " + " | ".join(cell(c) for c in cols) + " |")
    lines += [
        "",
        (
            "Imported names per verdict (`lazify --explain --output-format json --style lazy --target-version py315` "
            "on the package):"
        ),
        "",
        "| project | rewritten | kept (by reason) |",
        "| --- | --- | --- |",
    ]
    for r in results:
        v = r["verdicts"]
        rewritten = ", ".join(f"{n} {k.split(' ', 1)[1]}" for k, n in v.items() if k.startswith("rewrite"))
        kept = ", ".join(f"{n} {k.split(' ', 1)[1]}" for k, n in v.items() if not k.startswith("rewrite"))
        lines.append(f"| {r['name']} | {rewritten or '0'} | {kept or '0'} |")
    lines += [
        "",
        (
            "Imports kept because of what another module does when it loads (`imported-module-has-effects`, "
            "`checked-in-sys-modules`, `import-guarded-elsewhere`), with the effect and where it is:"
        ),
        "",
    ]
    any_kept = False
    for r in results:
        for line in r.get("cross_module_kept", []):
            lines.append(f"- {r['name']}: {line}")
            any_kept = True
    if not any_kept:
        lines.append("- none")
    return "\n".join(lines) + "\n"


def find_python(version: str) -> Path:
    if version == "3.15":
        cand = os.environ.get("LAZIFY_PYTHON315") or shutil.which("python3.15")
    else:
        cand = shutil.which(f"python{version}")
    if not cand:
        raise SystemExit(f"Python {version} not found (set LAZIFY_PYTHON315 / put python{version} on PATH)")
    return Path(cand)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("projects", nargs="*", help="project names from projects.toml (default: all)")
    ap.add_argument("--lazify", type=Path, default=ROOT / "target" / "release" / "lazify")
    ap.add_argument("--ruff", type=Path, default=os.environ.get("LAZIFY_RUFF") or shutil.which("ruff"))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("LAZIFY_REALWORLD_RUNS", "15")))
    ap.add_argument("--measure-only", action="store_true", help="skip the test suites (start-up table only)")
    ap.add_argument(
        "--styles",
        help="comma-separated style labels to run the test suites for, e.g. `local` (default: all); "
        "style `lazy` is always measured on 3.15",
    )
    ap.add_argument("--results", type=Path, help="write the Markdown tables here")
    ap.add_argument("--readme", type=Path, help=f"replace the text between {README_START} and {README_END}")
    ap.add_argument("--json", type=Path, help="write the raw results as JSON")
    args = ap.parse_args()

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lazify-realworld"
    if not args.ruff or run([args.ruff, "--version"]).stdout.strip() != "ruff 0.17.5":
        raise SystemExit("ruff 0.17.5 not found (set LAZIFY_RUFF or pass --ruff)")
    if not args.lazify.is_file():
        raise SystemExit(f"{args.lazify} not found (cargo build --release -p lazify, or pass --lazify)")
    config = tomllib.loads((HERE / "projects.toml").read_text())
    env = Env(
        cache=cache,
        lazify=args.lazify.resolve(),
        ruff=Path(args.ruff).resolve(),
        pythons={"3.15": find_python("3.15"), "3.11": find_python("3.11")},
        pytest=config["pip"]["pytest"],
    )
    wanted = args.styles.split(",") if args.styles else [label for label, _, _ in STYLES]
    styles = [s for s in STYLES if s[0] in wanted]
    names = args.projects or list(config["projects"])
    unknown = [n for n in names if n not in config["projects"]]
    if unknown:
        raise SystemExit(f"unknown projects: {unknown}")
    commit = run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT).stdout.strip() or "unknown"
    t0 = time.monotonic()
    results, failures = [], []
    for name in names:
        p = Project(name=name, **config["projects"][name])
        results.append(process(env, p, args.runs, args.measure_only, styles))
        failures += p.failures
        for f in p.failures:
            print(f, file=sys.stderr)
    version = run([env.lazify, "--version"]).stdout.strip()
    python = run([env.pythons["3.15"], "--version"]).stdout.strip()
    text = (
        f"Measured {time.strftime('%Y-%m-%d')} with {version} (commit {commit}), {python}, "
        f"{len(results)} projects, {os.cpu_count()} CPUs.\n\n" + table(results, args.runs)
    )
    print(text)
    if args.results:
        args.results.write_text(
            f"<!-- generated by tests/realworld/run.py --runs {args.runs}; do not edit -->\n" + text
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    if args.readme:
        readme = args.readme.read_text()
        start, end = readme.index(README_START) + len(README_START), readme.index(README_END)
        args.readme.write_text(readme[:start] + "\n" + text + readme[end:])
    log(f"done in {time.monotonic() - t0:.0f}s: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
