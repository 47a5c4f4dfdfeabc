/**
 * Python source run inside each interpreter (worker.ts). Kept as strings so the worker needs no extra files.
 *
 * The user's code runs with its own globals dict whose `__builtins__` is a copy of the builtins with a guarded
 * `__import__`: only imports written by the user's code are checked, while the standard library's own imports
 * (whose functions keep the real builtins) work as usual. The guard and the hiding of Pyodide's modules are policy,
 * not a security boundary: Python introspection always finds a way to the real import. The boundary is the sandbox
 * process: its namespaces, its permission model and what it disarmed in itself (launch.ts, lockdown.ts).
 */

/** Imported before the memory snapshot is taken, so every interpreter starts with them loaded. */
export const SNAPSHOT_PY = String.raw`
import importlib as _importlib
import pyodide.code
for _name in __sandbox_preload__:
    try:
        _importlib.import_module(_name)
    except BaseException:
        pass
del _name
`;

/**
 * Runs SETUP_PY (passed as a string literal) in a module of its own, left in sys.modules for the sandbox process to
 * take (and remove) before any task code runs. Done before the snapshot is taken, so each process starts with the
 * functions defined instead of compiling them; nothing in it depends on a task.
 */
export const SETUP_MODULE_PY = String.raw`
import sys as _sys, types as _types
_setup = _types.ModuleType("_sandbox_setup")
exec(compile(__sandbox_setup_source__, "<sandbox-setup>", "exec"), _setup.__dict__)
_sys.modules["_sandbox_setup"] = _setup
del _setup
`;

/** The setup module's namespace, taken out of sys.modules (made here when the snapshot predates it). */
export const TAKE_SETUP_PY = String.raw`
import sys as _sys
_sys.modules.pop("_sandbox_setup").__dict__
`;

/** Defines `_configure(config_json, bridge)` and `_run(code)`; run in a module of its own (SETUP_MODULE_PY). */
export const SETUP_PY = String.raw`
import builtins as _builtins
import json as _json
import sys as _sys
from pyodide.code import eval_code_async as _eval_code_async


class ToolError(Exception):
    """A tool call failed; the message says why."""


class _FinalAnswer(BaseException):
    """Raised by final_answer() to end the code step."""


# Bound once, so that code patching the builtins module cannot break how steps are reported.
_len, _repr, _str, _type, _isinstance, _dict, _zip = len, repr, str, type, isinstance, dict, zip
_BaseException, _SystemExit, _MemoryError, _TypeError = BaseException, SystemExit, MemoryError, TypeError
_state = {"final": None}
_limits = {"output": 65536, "memory_mib": 512}
_user_globals = {}
# The JavaScript object whose call_tool(name, payload) blocks for the harness's reply; set by _configure.
_bridge = None


def _is_allowed(name, allowed):
    return "*" in allowed or any(name == a or name.startswith(a + ".") for a in allowed)


def _make_import(allowed, failures):
    real_import = _builtins.__import__
    listed = sorted(allowed)

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        if level != 0:
            raise ImportError("relative imports are not allowed in the sandbox")
        if not _is_allowed(name, allowed):
            raise ImportError(f"import of '{name}' is not allowed. Authorized imports: {listed}")
        root = name.partition(".")[0]
        if root in failures:
            raise ModuleNotFoundError(f"No module named '{root}': {failures[root]}", name=root)
        return real_import(name, globals, locals, fromlist, level)

    return __import__


def _call_tool(name, arguments):
    payload = _json.dumps(arguments, default=str)
    reply = _bridge.call_tool(name, payload)
    if reply.kind == "ok":
        return _str(reply.output)
    if reply.kind == "interrupted":
        raise KeyboardInterrupt("interrupted while waiting for a tool")
    raise ToolError(_str(reply.error))


def _make_tool(name, description, parameters):
    def tool(*args, **kwargs):
        if _len(args) > _len(parameters):
            raise _TypeError(f"{name}() takes {_len(parameters)} positional argument(s) but {_len(args)} were given")
        arguments = _dict(_zip(parameters, args))
        for key, value in kwargs.items():
            if key in arguments:
                raise _TypeError(f"{name}() got multiple values for argument '{key}'")
            arguments[key] = value
        return _call_tool(name, arguments)

    tool.__name__ = tool.__qualname__ = name
    tool.__doc__ = description
    return tool


def _cap(text):
    limit = _limits["output"]
    if _len(text) <= limit:
        return text
    return text[:limit] + f"... [truncated {_len(text) - limit} characters]"


def _to_text(value, use_repr):
    try:
        return _cap(_repr(value) if use_repr else _str(value))
    except _BaseException as e:
        return f"<{_type(value).__name__} object: {'repr' if use_repr else 'str'}() failed with {_type(e).__name__}>"


def final_answer(answer):
    """Ends the task with answer as the final answer."""
    text = _to_text(answer, False)
    try:
        value = _json.dumps(answer, default=str, allow_nan=False)
    except _BaseException:
        value = None
    _state["final"] = {"json": value, "text": text}
    raise _FinalAnswer()


def _describe(e):
    if _isinstance(e, _SystemExit):
        return f"exit({e.code!r}) was called; the sandboxed code cannot exit"
    message = _to_text(e, False)
    if _isinstance(e, _MemoryError) and not message:
        message = f"out of memory (the interpreter is limited to {_limits['memory_mib']} MiB)"
    return message


def _configure(config_json, bridge):
    global _bridge
    _bridge = bridge
    config = _json.loads(config_json)
    _limits["output"] = config["outputLimitBytes"]
    _limits["memory_mib"] = config["memoryLimitMiB"]
    safe_builtins = dict(_builtins.__dict__)
    safe_builtins["__import__"] = _make_import(frozenset(config["allowedImports"]), config["packageFailures"])
    namespace = {"__name__": "__main__", "__builtins__": safe_builtins, "ToolError": ToolError}
    for spec in config["tools"]:
        namespace[spec["name"]] = _make_tool(spec["name"], spec["description"], tuple(spec["parameters"]))
    namespace["final_answer"] = final_answer
    _user_globals.clear()
    _user_globals.update(namespace)
    for name in [n for n in _sys.modules if n.split(".")[0] in ("js", "pyodide_js")]:
        _sys.modules.pop(name, None)


async def _run(code):
    """Returns a plain dict (converted by the worker, not by the json module, which user code may patch)."""
    _state["final"] = None
    out = {}
    try:
        result = await _eval_code_async(code, _user_globals, filename="<code>")
        if result is not None:
            out["result"] = _to_text(result, True)
    except _FinalAnswer:
        pass
    except _BaseException as e:
        out["error"] = {"type": _type(e).__name__, "message": _describe(e)}
    for stream in (_sys.stdout, _sys.stderr):
        try:
            stream.flush()
        except _BaseException:
            pass
    if _state["final"] is not None:
        out["final"] = _state["final"]
    return out
`;
