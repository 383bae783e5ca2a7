"""``--speedup-plot PATH``: a PNG bar chart of the measured speedups."""

from __future__ import annotations

from pathlib import Path

from plugin.measure.speedup import FAIL, NOT_MEASURED, PASS
from plugin.messages import say
from plugin.outputs.result import RunResult

COLOURS = {PASS: "tab:green", FAIL: "tab:red", NOT_MEASURED: "tab:gray"}
# Fonts with Chinese glyphs on Windows, macOS and Linux (matplotlib's own DejaVu Sans has none), for the
# labels of a --lang zh run; the first one installed is put before matplotlib's defaults.
CJK_FONTS = (
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)


def build(result: RunResult) -> list[dict]:
    return result.speedups


def sans_serif_fonts() -> list[str]:
    """matplotlib's sans-serif fonts, after the first installed font that has Chinese glyphs."""
    from matplotlib import font_manager, rcParams

    installed = {font.name for font in font_manager.fontManager.ttflist}
    chinese = [name for name in CJK_FONTS if name in installed][:1]
    return chinese + [name for name in rcParams["font.sans-serif"] if name not in chinese]


def write(path: Path, speedups: list[dict]) -> None:
    """The speedup of each measurement against the machine's capacity and the requirement."""
    import matplotlib

    with matplotlib.rc_context({"font.sans-serif": sans_serif_fonts()}):
        _draw(path, speedups)


def _draw(path: Path, speedups: list[dict]) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [row["exercise"] for row in speedups]
    positions = range(len(speedups))
    axes.bar(
        positions, [row.get("speedup") or 0 for row in speedups], color=[COLOURS[row["verdict"]] for row in speedups]
    )
    axes.plot(
        positions,
        [row.get("capacity") or 0 for row in speedups],
        "k_",
        markersize=28,
        mew=2,
        label=say("chart.capacity"),
    )
    axes.plot(
        positions,
        [row.get("required") or 0 for row in speedups],
        "_",
        color="tab:orange",
        markersize=28,
        mew=2,
        label=say("chart.required"),
    )
    axes.axhline(1.0, color="gray", linewidth=0.8, linestyle="--")
    axes.set_xticks(list(positions), labels, rotation=20, ha="right", fontsize=8)
    axes.set_ylabel(say("chart.y_label"))
    axes.set_title(say("chart.title"))
    axes.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
