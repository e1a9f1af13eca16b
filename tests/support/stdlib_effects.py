"""Imports each standard-library module in a fresh interpreter and reports what changed in observable process
state. Used by tests/stdlib_effects.rs to check crates/lazify_core/data/stdlib_effects.toml.

Usage: python3.15 stdlib_effects.py MODULE...   (prints one JSON object: module -> list of changes, or
"unimportable: ..." when the import fails)
"""

import json
import subprocess
import sys

PROBE = r'''
import sys, os, json, atexit, signal, warnings, logging, threading, socket, copyreg, faulthandler, locale, io

def state():
    handlers = {}
    for s in signal.valid_signals():
        try:
            h = signal.getsignal(s)
        except (ValueError, OSError):
            continue
        handlers[int(s)] = repr(h)
    old_umask = os.umask(0o22)
    os.umask(old_umask)
    root = logging.getLogger()
    return {
        "atexit callbacks": atexit._ncallbacks(),
        "signal handlers": handlers,
        "sys.path": list(sys.path),
        "sys.meta_path": [type(f).__name__ for f in sys.meta_path],
        "sys.path_hooks": [repr(h) for h in sys.path_hooks],
        "warnings.filters": [repr(f) for f in warnings.filters],
        "logging root": [repr(h) for h in root.handlers] + [root.level, logging.root.manager.disable],
        "logging logger class": repr(logging.getLoggerClass()),
        "os.environ": dict(os.environ),
        "cwd": os.getcwd(),
        "umask": old_umask,
        "sys.excepthook": repr(sys.excepthook),
        "sys.displayhook": repr(sys.displayhook),
        "sys.unraisablehook": repr(sys.unraisablehook),
        "sys.breakpointhook": repr(sys.breakpointhook),
        "threading.excepthook": repr(threading.excepthook),
        "recursion limit": sys.getrecursionlimit(),
        "int max str digits": sys.get_int_max_str_digits(),
        "trace": repr(sys.gettrace()),
        "profile": repr(sys.getprofile()),
        "threads": threading.active_count(),
        "socket timeout": socket.getdefaulttimeout(),
        "copyreg dispatch": len(copyreg.dispatch_table),
        "copyreg extensions": len(copyreg._extension_registry),
        "faulthandler": faulthandler.is_enabled(),
        "locale": locale.setlocale(locale.LC_ALL, None),
        "stdout": repr(sys.stdout),
        "stderr": repr(sys.stderr),
        "stdin": repr(sys.stdin),
    }

name = sys.argv[1]
before = state()
real_out, real_err = sys.stdout, sys.stderr
out, err = io.StringIO(), io.StringIO()
sys.stdout, sys.stderr = out, err
try:
    __import__(name)
    failed = None
except BaseException as e:
    failed = f"{type(e).__name__}: {e}"
finally:
    sys.stdout, sys.stderr = real_out, real_err
if failed:
    print(json.dumps({"unimportable": failed}))
    raise SystemExit(0)
after = state()
changes = [k for k in before if before[k] != after[k]]
if out.getvalue():
    changes.append("stdout output")
if err.getvalue():
    changes.append("stderr output")
print(json.dumps({"changes": changes}))
'''


def probe(name):
    """What importing `name` changes: a list, or a string saying why it could not be imported."""
    try:
        proc = subprocess.run(
            [sys.executable, "-E", "-s", "-B", "-c", PROBE, name],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return "unimportable: timed out"
    last = proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else []
    try:
        data = json.loads(last[0]) if last else None
    except json.JSONDecodeError:
        data = None
    if data is None:
        return f"unimportable: exit {proc.returncode}: {proc.stderr.strip()[-200:]}"
    if "unimportable" in data:
        return "unimportable: " + data["unimportable"]
    changes = data["changes"]
    # Output that escaped the redirection (written to the file descriptor directly) is output too.
    if len(proc.stdout.strip().splitlines()) > 1:
        changes.append("stdout output")
    return changes


def main():
    from concurrent.futures import ThreadPoolExecutor

    names = sys.argv[1:]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(names, pool.map(probe, names)))
    print(json.dumps(results, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
