"""Dutch numbers on the book's charts: "2,5" on an axis, not "2.5".

The pages draw their charts with plain matplotlib; during `leerplein build` every kernel runs
`install()` first (an IPython start-up file in the build's own IPython folder, see
leerplein.book.build.kernel_env), so no page needs extra code. Without a Dutch system locale
matplotlib's `axes.formatter.use_locale` cannot help."""

from __future__ import annotations

from pathlib import Path

STARTUP = "from leerplein.book.charts import install\ninstall()\n"


def dutch_number(text: str) -> str:
    """Decimal point to comma, thousands (if any) to points: 1,234.5 -> 1.234,5."""
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def install() -> None:
    """Tick labels of matplotlib's default formatter in Dutch notation, from now on."""
    from matplotlib import ticker

    if getattr(ticker.ScalarFormatter, "_leerplein_dutch", False):
        return
    english = ticker.ScalarFormatter.__call__

    def dutch(self, x, pos=None):
        return dutch_number(english(self, x, pos))

    ticker.ScalarFormatter.__call__ = dutch
    ticker.ScalarFormatter._leerplein_dutch = True


def write_startup(ipython_dir: Path) -> Path:
    startup = ipython_dir / "profile_default" / "startup" / "00-leerplein-charts.py"
    startup.parent.mkdir(parents=True, exist_ok=True)
    if not startup.exists() or startup.read_text() != STARTUP:
        startup.write_text(STARTUP)
    return ipython_dir
