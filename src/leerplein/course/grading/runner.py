"""Executes a notebook's code cells inside the sandbox with IPython (no Jupyter kernel, no
sockets), enforcing the per-cell time limit and the output cap, and writes the outputs back.

    python -m leerplein.course.grading.runner IN.ipynb OUT.ipynb CELL_SECONDS OUTPUT_CHARS MEMORY_MB PROCESSES
"""

from __future__ import annotations

import json
import resource
import signal
import sys


class CellTimeout(BaseException):  # BaseException: `except Exception` in student code cannot swallow it
    pass


class CappedStream:
    """Keeps the first `limit` characters of a stream and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.parts, self.size, self.dropped = limit, [], 0, 0

    def write(self, text: str) -> int:
        keep = max(0, self.limit - self.size)
        if keep:
            self.parts.append(text[:keep])
            self.size += len(text[:keep])
        self.dropped += max(0, len(text) - keep)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def value(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n… Uitvoer ingekort: {self.dropped} tekens weggelaten (de grens is {self.limit} tekens).\n"
        return text


def truncate_data(data: dict, limit: int) -> dict:
    out = {}
    for mime, value in data.items():
        text = value if isinstance(value, str) else json.dumps(value)
        out[mime] = value if len(text) <= limit else (
            text[:limit] + f"\n… Uitvoer ingekort: {len(text) - limit} tekens weggelaten." if mime.startswith("text/")
            else "")
    return {k: v for k, v in out.items() if v != ""} or {"text/plain": "… Uitvoer ingekort (te groot)."}


def run(nb_in: str, nb_out: str, cell_seconds: int, output_chars: int, memory_mb: int, processes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 2**20, 64 * 2**20))
    with open(nb_in, encoding="utf-8") as f:
        nb = json.load(f)

    from IPython.core.displaypub import CapturingDisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # no sqlite history, no history thread
    shell = InteractiveShell.instance(config=config, colors="NoColor")
    shell.display_pub = CapturingDisplayPublisher()
    shell.displayhook.write_output_prompt = lambda: None
    shell.displayhook.write_format_data = lambda *a, **k: None
    failures: list = []

    def record_error(*args, **kwargs):
        failures.append(sys.exc_info())

    shell.showtraceback = record_error
    shell.showsyntaxerror = record_error

    def on_alarm(signum, frame):
        raise CellTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    count = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        count += 1
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        out, err = CappedStream(output_chars), CappedStream(output_chars)
        shell.display_pub.clear_output()
        failures.clear()
        real_out, real_err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        result = None
        try:
            signal.alarm(cell_seconds)
            result = shell.run_cell(source, store_history=True)
        except CellTimeout:
            failures.append((CellTimeout, CellTimeout(), None))
        except MemoryError:
            failures.append((MemoryError, MemoryError(), None))
        finally:
            signal.alarm(0)
            sys.stdout, sys.stderr = real_out, real_err
        _reap_children()
        outputs = []
        if out.value():
            outputs.append({"output_type": "stream", "name": "stdout", "text": out.value()})
        if err.value():
            outputs.append({"output_type": "stream", "name": "stderr", "text": err.value()})
        for display in shell.display_pub.outputs:
            outputs.append({"output_type": "display_data", "data": truncate_data(display["data"], output_chars),
                            "metadata": display.get("metadata") or {}})
        if result is not None and result.result is not None and not failures:
            data, metadata = shell.display_formatter.format(result.result)
            outputs.append({"output_type": "execute_result", "execution_count": count,
                            "data": truncate_data(data, output_chars), "metadata": metadata})
        for etype, value, tb in failures[:1]:
            outputs.append(error_output(shell, etype, value, tb, cell_seconds))
        cell["outputs"] = outputs
        cell["execution_count"] = count
    with open(nb_out, "w", encoding="utf-8") as f:
        json.dump(nb, f)


def _reap_children() -> None:
    """Collect exited child processes, so they stop counting against the process limit."""
    import os

    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def error_output(shell, etype, value, tb, cell_seconds: int) -> dict:
    if etype is CellTimeout:
        text = f"De cel stopte na {cell_seconds} seconden: de tijdslimiet is bereikt (misschien een oneindige lus)."
        return {"output_type": "error", "ename": "Tijdslimiet", "evalue": text, "traceback": [text]}
    if etype is MemoryError:
        text = "De cel gebruikte te veel geheugen en is gestopt."
        return {"output_type": "error", "ename": "Geheugenlimiet", "evalue": text, "traceback": [text]}
    if hasattr(value, "_render_traceback_"):
        stb = value._render_traceback_()
    else:
        try:
            stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=1)
        except Exception:  # noqa: BLE001 - a broken traceback must not lose the error itself
            stb = [f"{etype.__name__}: {value}"]
    return {"output_type": "error", "ename": etype.__name__, "evalue": str(value)[:2000], "traceback": stb[-50:]}


if __name__ == "__main__":
    a = sys.argv[1:]
    run(a[0], a[1], int(a[2]), int(a[3]), int(a[4]), int(a[5]))
