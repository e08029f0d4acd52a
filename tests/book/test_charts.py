"""Charts in the book show Dutch numbers on their axes ("0,5", not "0.5")."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_axis_labels_use_a_decimal_comma_after_install():
    code = """
import io, matplotlib
matplotlib.use("svg")
matplotlib.rcParams["svg.fonttype"] = "none"
from leerplein.book.charts import install
install()
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.barh(["a", "b"], [0.4, 2.6])
ax.set_xlim(0, 3.2)
out = io.StringIO()
fig.savefig(out, format="svg")
print(out.getvalue())
"""
    svg = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "0,5" in labels and "2,5" in labels, labels
    assert not [t for t in labels if re.fullmatch(r"\d+\.\d+", t)], labels


def test_the_book_build_starts_every_kernel_with_it():
    from leerplein.book.build import kernel_env
    from leerplein.paths import Layout

    env = kernel_env(Layout(ROOT))
    startup = sorted(Path(env["IPYTHONDIR"]).rglob("*.py"))
    assert [p.read_text() for p in startup] == ["from leerplein.book.charts import install\ninstall()\n"]
    # IPython (the kernels' shell) runs it on start: a formatter made afterwards writes "0,5"
    done = subprocess.run([sys.executable, "-m", "IPython", "-c",
                           "import matplotlib; matplotlib.use('agg'); import matplotlib.pyplot as plt; "
                           "fig, ax = plt.subplots(); ax.set_xlim(0, 1); fig.canvas.draw(); "
                           "print([t.get_text() for t in ax.get_xticklabels()])"],
                          env=env, capture_output=True, text=True, check=True)
    assert "'0,2'" in done.stdout and "'0.2'" not in done.stdout, done.stdout + done.stderr
