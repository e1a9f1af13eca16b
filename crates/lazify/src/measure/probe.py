# The child side of `lazify measure`: imports one module in a fresh interpreter and writes what it cost.
#
# Run as `python [-X importtime] [-X lazy_imports=all] -c <this file> OUT MODULE USE ROOTS TRACE HOOK`. It runs on the
# user's interpreter, so it stays compatible with Python 3.8+, and it imports nothing the measured code might
# import (no json, no tracemalloc.py, no importlib): only `sys`, `time`, `builtins` and `_tracemalloc`, which are
# built in. The result goes to the file OUT as tab-separated lines:
#
#   phase   NAME  TIME_US  MODULES  RSS_KIB  ALLOC_BYTES      (NAME: base, import, use; figures at the phase's end)
#   rec     PHASE DEPTH FILE LINE TIME_US RSS_KIB ALLOC_BYTES MODULE,MODULE,...
#   error   MESSAGE
#
# `rec` lines come from the `__import__` hook (HOOK = 1): one per import statement of the project (a caller whose
# file is under one of ROOTS) that loaded new modules, with the modules it loaded and what memory grew by.
# Markers on stderr (`lazify-measure: import`, `... use`, `... end`) split `-X importtime`'s output into phases.
import sys
import time

import builtins

OUT, MODULE, USE, ROOTS, TRACE, HOOK = sys.argv[1:7]
ROOTS = [r for r in ROOTS.split("\n") if r]
TRACE = TRACE == "1"
HOOK = HOOK == "1"

if TRACE:
    import _tracemalloc

    _tracemalloc.start()

    def alloc():
        return _tracemalloc.get_traced_memory()

else:

    def alloc():
        return (0, 0)


def _proc_status(key):
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def peak_kib():
    kib = _proc_status("VmHWM:")
    if kib is not None:
        return kib
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak // 1024 if sys.platform == "darwin" else peak
    except Exception:
        return 0


def rss_kib():
    kib = _proc_status("VmRSS:")
    return kib if kib is not None else 0


lines = []
records = []
stack = []


def phase(name, elapsed_us, base_modules):
    lines.append(
        "phase\t%s\t%d\t%d\t%d\t%d"
        % (name, elapsed_us, len(sys.modules) - base_modules, peak_kib(), alloc()[1])
    )


current_phase = ["import"]
if HOOK:
    original_import = builtins.__import__

    def hook(name, globals=None, locals=None, fromlist=(), level=0):
        frame = sys._getframe(1)
        filename = frame.f_code.co_filename
        if not any(filename.startswith(root) for root in ROOTS):
            return original_import(name, globals, locals, fromlist, level)
        before = set(sys.modules)
        rss0 = rss_kib()
        alloc0 = alloc()[0]
        start = time.perf_counter()
        stack.append(filename)
        try:
            return original_import(name, globals, locals, fromlist, level)
        finally:
            depth = len(stack)
            stack.pop()
            if len(sys.modules) != len(before):
                new = [m for m in sys.modules if m not in before]
                records.append(
                    "rec\t%s\t%d\t%s\t%d\t%d\t%d\t%d\t%s"
                    % (
                        current_phase[0],
                        depth,
                        filename,
                        frame.f_lineno,
                        int((time.perf_counter() - start) * 1e6),
                        rss_kib() - rss0,
                        alloc()[0] - alloc0,
                        ",".join(new),
                    )
                )

    builtins.__import__ = hook

sys.path[0:0] = ROOTS
if HOOK and hasattr(sys, "stdlib_module_names"):
    lines.append("stdlib\t" + ",".join(sorted(sys.stdlib_module_names)))
phase("base", 0, len(sys.modules))
base = len(sys.modules)
status = 0
try:
    sys.stderr.write("lazify-measure: import\n")
    sys.stderr.flush()
    start = time.perf_counter()
    __import__(MODULE)
    phase("import", int((time.perf_counter() - start) * 1e6), base)
    module = sys.modules[MODULE]
    where = getattr(module, "__file__", None) or ""
    if ROOTS and not any(where.startswith(root) for root in ROOTS):
        raise ImportError("`%s` was imported from %s, not from the project" % (MODULE, where or "nowhere"))
    if USE:
        current_phase[0] = "use"
        sys.stderr.write("lazify-measure: use\n")
        sys.stderr.flush()
        namespace = {"__name__": "__lazify_use__"}
        top = MODULE.split(".")[0]
        namespace[top] = sys.modules[top]
        saved = sys.stdout
        sys.stdout = open("/dev/null" if sys.platform != "win32" else "nul", "w")
        try:
            start = time.perf_counter()
            exec(compile(USE, "<--use>", "exec"), namespace)
            phase("use", int((time.perf_counter() - start) * 1e6), base)
        finally:
            sys.stdout.close()
            sys.stdout = saved
except BaseException as error:  # noqa: BLE001  (SystemExit from the use code is an error too)
    lines.append("error\t%s: %s" % (type(error).__name__, str(error).replace("\n", " ").replace("\t", " ")))
    status = 1
sys.stderr.write("lazify-measure: end\n")
sys.stderr.flush()
if HOOK:
    builtins.__import__ = original_import
with open(OUT, "w") as out:
    out.write("\n".join(lines + records) + "\n")
sys.exit(status)
