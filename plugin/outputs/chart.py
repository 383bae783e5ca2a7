"""``--speedup-plot PATH``: a PNG bar chart of the measured speedups."""

from __future__ import annotations

from pathlib import Path

from plugin.measure.speedup import FAIL, NOT_MEASURED, PASS
from plugin.messages import say
from plugin.outputs.result import RunResult

COLOURS = {PASS: "tab:green", FAIL: "tab:red", NOT_MEASURED: "tab:gray"}


def build(result: RunResult) -> list[dict]:
    return result.speedups


def write(path: Path, speedups: list[dict]) -> None:
    """The speedup of each measurement against the machine's capacity and the requirement."""
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
