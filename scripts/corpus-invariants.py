#!/usr/bin/env python3
"""Corpus invariants: every style of lazify on the CPython 3.15 standard library and on a large PyPI project.

For each corpus (copied to a temporary directory first; the interpreter's own tree is never written) and each style
(`lazy`, `lazy-modules`, `local`, `lazy --hoist`), runs `lazify --write` on a fresh copy and checks:

- no internal error (`internal error: ...`, a panic, or a crash of the process);
- every file that compiled with Python 3.15 before still compiles after (each file is compiled before and after;
  a file that did not compile before, e.g. test data with bad syntax on purpose, must be reported and left
  byte-for-byte untouched);
- a second run (`--check`) has nothing left to rewrite.

Known failures (bugs being fixed elsewhere) are listed in scripts/corpus-invariants.known as
`<corpus> <style> <kind> <file>  # issue item`; they are reported as known. Exit 1 on any other failure, and also
when a listed failure no longer happens (delete its line: the list only shrinks). Exit 2 on a usage or setup error.

    scripts/corpus-invariants.py --lazify target/debug/lazify --python "$LAZIFY_PYTHON315"

The sdists are downloaded once with `pip download --no-deps --no-binary :all:` into
${XDG_CACHE_HOME:-~/.cache}/lazify-corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

# A large pure-Python project, pinned so that a run today and next year read the same code.
PROJECTS = ["django==5.2.4"]

STYLES = {
    "lazy": ["--style", "lazy"],
    "lazy-modules": ["--style", "lazy-modules"],
    "local": ["--style", "local"],
    "hoist": ["--style", "lazy", "--hoist"],
}

# Runs under Python 3.15: compiles each file named on stdin (one per line); prints a JSON object of failures.
COMPILER = r"""
import json, sys
failures = {}
for line in sys.stdin:
    path = line.rstrip("\n")
    try:
        with open(path, "rb") as f:
            compile(f.read(), path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        failures[path] = f"{type(e).__name__}: {e}"
print(json.dumps(failures))
"""


def say(message: str) -> None:
    print(message, flush=True)


def python_files(root: pathlib.Path) -> list[pathlib.Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file() and "__pycache__" not in p.parts)


def compile_failures(python: str, files: list[pathlib.Path]) -> dict[str, str]:
    if not files:
        return {}
    out = subprocess.run(
        [python, "-X", "utf8", "-c", COMPILER],
        input="\n".join(str(f) for f in files) + "\n",
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return json.loads(out.stdout)


def stdlib(python: str, work: pathlib.Path) -> pathlib.Path:
    src = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dest = work / "stdlib"
    shutil.copytree(
        src,
        dest,
        symlinks=False,
        ignore=shutil.ignore_patterns("site-packages", "dist-packages", "__pycache__", "*.pyc"),
        ignore_dangling_symlinks=True,
    )
    return dest


def project(python: str, spec: str, work: pathlib.Path) -> pathlib.Path:
    cache = pathlib.Path(os.environ.get("XDG_CACHE_HOME", pathlib.Path.home() / ".cache")) / "lazify-corpus"
    cache.mkdir(parents=True, exist_ok=True)
    name, version = spec.split("==")
    sdists = [p for p in cache.iterdir() if p.name.lower().startswith(f"{name}-{version}".lower())]
    if not sdists:
        subprocess.run(
            [python, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
             "--no-binary", ":all:", spec, "-d", str(cache)],
            check=True,
            stdin=subprocess.DEVNULL,
        )
        sdists = [p for p in cache.iterdir() if p.name.lower().startswith(f"{name}-{version}".lower())]
    dest = work / f"{name}-{version}"
    with tarfile.open(sdists[0]) as tar:
        tar.extractall(work / "extract", filter="data")
    (extracted,) = list((work / "extract").iterdir())
    extracted.rename(dest)
    (work / "extract").rmdir()
    return dest


def read_known(path: pathlib.Path) -> set[tuple[str, str, str, str]]:
    known = set()
    if not path.is_file():
        return known
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 4:
            sys.exit(f"{path}:{n}: expected `<corpus> <style> <kind> <file>`, got {line!r}")
        known.add(tuple(fields))
    return known


def run_style(lazify: str, python: str, corpus: str, pristine: pathlib.Path, before: dict[str, str],
              style: str, work: pathlib.Path) -> list[tuple[str, str, str, str, str]]:
    """Returns failures as (corpus, style, kind, file, detail)."""
    failures = []
    tree = work / f"{corpus}-{style}"
    shutil.copytree(pristine, tree, symlinks=True)
    args = [lazify, "--target-version", "py315", *STYLES[style]]

    def fail(kind: str, file: str, detail: str) -> None:
        failures.append((corpus, style, kind, file, detail))

    started = time.monotonic()
    first = subprocess.run([*args, "--write", "--output-format", "json", "."], cwd=tree, capture_output=True,
                           text=True, stdin=subprocess.DEVNULL)
    elapsed = time.monotonic() - started
    if first.returncode not in (0, 2):
        fail("crash", "-", f"`lazify --write` exited with {first.returncode}: {first.stderr[-2000:]}")
    errors: set[str] = set()
    for line in first.stderr.splitlines():
        # An error is printed once: as a plain `error: PATH: message` line, or as a diagnostic whose first line is
        # `  × PATH:LINE:COLUMN: message` (engine errors with a source span).
        if line.startswith("error: "):
            where, _, message = line[len("error: "):].partition(": ")
        elif line.lstrip().startswith("× "):
            where, _, message = line.lstrip()[len("× "):].partition(": ")
        else:
            continue
        file = where.split(":", 1)[0]
        errors.add(file)
        if "internal error" in message or "panicked" in message:
            fail("internal-error", file, message)
    if "lazify::internal" in first.stderr:
        fail("internal-error", "-", "an internal error: " + first.stderr[-2000:])
    if "panicked at" in first.stderr:
        fail("internal-error", "-", "a panic: " + first.stderr[-2000:])

    files = python_files(tree)
    changed = []
    for path in files:
        rel = str(path.relative_to(tree))
        if path.read_bytes() != (pristine / rel).read_bytes():
            changed.append(path)
            if rel in before:
                fail("touched-invalid", rel, f"the file did not compile before ({before[rel]}) and was changed")
    after = compile_failures(python, changed)
    for path in changed:
        rel = str(path.relative_to(tree))
        if rel not in before and str(path) in after:
            fail("compile-broken", rel, after[str(path)])

    second = subprocess.run([*args, "--check", "--output-format", "json", "."], cwd=tree, capture_output=True,
                            text=True, stdin=subprocess.DEVNULL)
    try:
        report = json.loads(second.stdout or '{"findings": []}')
        # `{"version": 1, "findings": [...], "errors": [...]}` (a bare list before the JSON got its version).
        findings = report["findings"] if isinstance(report, dict) else report
        pending = [f for f in findings if f.get("decision") == "rewrite"]
    except json.JSONDecodeError:
        pending = []
        fail("crash", "-", f"the second run printed no JSON (exit {second.returncode}): {second.stderr[-2000:]}")
    for finding in pending:
        fail("not-converged", finding["path"].removeprefix("./"), finding.get("message", ""))
    if not pending and second.returncode != (2 if errors else 0):
        fail("not-converged", "-", f"the second run exited with {second.returncode}: {second.stderr[-1000:]}")
    say(f"  {corpus} {style:<13} {elapsed:5.1f} s: {len(changed)} of {len(files)} files rewritten, "
        f"{len(errors)} reported as errors, {len(failures)} failures")
    shutil.rmtree(tree)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lazify", required=True)
    parser.add_argument("--python", required=True, help="Python 3.15")
    parser.add_argument("--known", default=str(pathlib.Path(__file__).with_name("corpus-invariants.known")))
    parser.add_argument("--project", action="append", help="name==version of an sdist (default: %(default)s)")
    parser.add_argument("--no-stdlib", action="store_true")
    args = parser.parse_args()
    lazify = str(pathlib.Path(args.lazify).resolve())
    known = read_known(pathlib.Path(args.known))
    started = time.monotonic()
    failures = []
    with tempfile.TemporaryDirectory(prefix="lazify-corpus-") as tmp:
        work = pathlib.Path(tmp)
        (work / "pristine").mkdir()
        corpora = []
        if not args.no_stdlib:
            corpora.append(("stdlib", stdlib(args.python, work / "pristine")))
        for spec in args.project or PROJECTS:
            corpora.append((spec.split("==")[0], project(args.python, spec, work / "pristine")))
        for corpus, pristine in corpora:
            files = python_files(pristine)
            before = {
                str(pathlib.Path(path).relative_to(pristine)): error
                for path, error in compile_failures(args.python, files).items()
            }
            say(f"{corpus}: {len(files)} files, {len(before)} do not compile with 3.15 before lazify")
            for style in STYLES:
                failures += run_style(lazify, args.python, corpus, pristine, before, style, work)
    seen = set()
    new = 0
    for corpus, style, kind, file, detail in failures:
        key = (corpus, style, kind, file)
        seen.add(key)
        if key in known:
            say(f"known   {corpus} {style} {kind} {file}")
        else:
            new += 1
            say(f"FAILURE {corpus} {style} {kind} {file}: {detail}")
    fixed = known - seen
    for key in sorted(fixed):
        say(f"FIXED   {' '.join(key)} no longer fails: delete its line from {args.known}")
    say(f"corpus invariants: {len(failures)} failures ({new} new, {len(failures) - new} known), "
        f"{len(fixed)} known ones fixed, {time.monotonic() - started:.0f} s")
    return 1 if new or fixed else 0


if __name__ == "__main__":
    sys.exit(main())
