"""The soak's figures: per-second throughput, latency and errors, each process's memory, the
table of faults, the verdicts, and one picture of the run with the fault windows shaded."""

import math
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from bench.soak_customers import Answer
from bench.soak_faults import Window

GRACE = 10.0  # seconds after a fault's end still counted as its window (the app recovering)
MEMORY_GROWTH_LIMIT = 0.10
EDGE = 30.0  # seconds of samples whose median is a process's memory at one end of the window


def failed(answer: Answer) -> bool:
    return isinstance(answer.status, str) or answer.status >= 500


def answered(answer: Answer) -> float:
    return answer.at + answer.ms / 1000


def during(answer: Answer, window: Window) -> bool:
    """The request was under way at some moment of the window (or of its grace after)."""
    return answer.at <= window.end + GRACE and answered(answer) >= window.start


def allowed(answer: Answer, windows: list[Window]) -> bool:
    """A styled 503 for a request under way during a fault is the app saying so; anything else
    is not."""
    return answer.status == 503 and answer.styled and any(during(answer, w) for w in windows)


def per_second(answers: list[Answer], windows: list[Window], seconds: int) -> dict:
    """Series indexed by second: answers, p50/p99 of the 5 s around, failures by kind."""
    buckets = defaultdict(list)
    expected, unexpected = Counter(), Counter()
    for a in answers:
        second = int(answered(a))
        buckets[second].append(a.ms)
        if failed(a):
            (expected if allowed(a, windows) else unexpected)[second] += 1
    p50, p99 = [], []
    for second in range(seconds):
        near = [ms for s in range(second - 2, second + 3) for ms in buckets.get(s, ())]
        p50.append(quantile(near, 0.5))
        p99.append(quantile(near, 0.99))
    return {
        "throughput": [len(buckets.get(s, ())) for s in range(seconds)],
        "p50": p50,
        "p99": p99,
        "expected": [expected[s] for s in range(seconds)],
        "unexpected": [unexpected[s] for s in range(seconds)],
    }


def quantile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def kinds_table(answers: list[Answer]) -> list[str]:
    """Each kind of request: how many, p50 and p99, and its answers by status."""
    by_kind = defaultdict(list)
    for a in answers:
        by_kind[a.kind].append(a)
    lines = [f"{'request':<16} {'count':>6} {'p50 ms':>8} {'p99 ms':>8}  statuses"]
    for kind, items in sorted(by_kind.items(), key=lambda item: -len(item[1])):
        times = [a.ms for a in items]
        statuses = Counter(str(a.status) for a in items)
        said = ", ".join(f"{status} × {n}" for status, n in sorted(statuses.items()))
        lines.append(
            f"{kind:<16} {len(items):6d} {quantile(times, 0.5):8.1f} {quantile(times, 0.99):8.1f}"
            f"  {said}"
        )
    return lines


def fault_table(answers: list[Answer], windows: list[Window]) -> list[str]:
    """Each fault: its window, the failures answered inside it (by status; a POST is marked, as
    nginx never sends one to the other host once it reached a host), and the recovery: from the
    fault's end to the last failed answer of its window (0 if none came after the end)."""
    lines = [
        f"{'fault':<18} {'start':>7} {'lasted':>7} {'recovery':>9}  failures in the window",
    ]
    for w in windows:
        inside = [a for a in answers if w.start <= answered(a) <= w.end + GRACE and failed(a)]
        kinds = Counter(
            f"{a.status}{' styled' if a.styled else ''}{' POST' if a.method == 'POST' else ''}"
            + ("" if allowed(a, [w]) else " UNEXPECTED")
            for a in inside
        )
        last = max((answered(a) for a in inside), default=w.end)
        said = ", ".join(f"{n} × {k}" for k, n in kinds.most_common()) or "none"
        lines.append(
            f"{w.name:<18} {w.start:6.0f}s {w.end - w.start:6.1f}s "
            f"{max(0.0, last - w.end):8.1f}s  {said}"
        )
        lines.append(f"{'':<18} {w.note}")
    return lines


def memory_growth(samples: list[tuple[float, str, float]], start: float, end: float) -> dict:
    """Each process's growth between `start` and `end` (medians of the EDGE seconds at each
    end). A process started later is measured from a minute after its start; one that lived
    less than half the window is shown but not judged."""
    by_process = defaultdict(list)
    for at, name, rss in samples:
        by_process[name].append((at, rss))
    found = {}
    for name, points in by_process.items():
        first_seen = points[0][0]
        begin = max(start, first_seen + (60 if first_seen > 5 else 0))
        inside = [(t, r) for t, r in points if begin <= t <= end]
        if len(inside) < 2:
            continue
        finish = inside[-1][0]
        head = [r for t, r in inside if t <= begin + EDGE]
        tail = [r for t, r in inside if t >= finish - EDGE]
        before, after = statistics.median(head), statistics.median(tail)
        judged = finish - begin >= (end - start) / 2
        found[name] = {
            "from": begin,
            "to": finish,
            "before": before,
            "after": after,
            "growth": after / before - 1 if before else 0.0,
            "judged": judged,
        }
    return found


def memory_lines(growth: dict) -> list[str]:
    lines = [f"{'process':<22} {'from':>6} {'to':>6} {'MB then':>8} {'MB end':>8} {'growth':>7}"]
    for name, g in sorted(growth.items()):
        verdict = "" if g["judged"] else "  (lived too short a part of the window: not judged)"
        if g["judged"] and g["growth"] > MEMORY_GROWTH_LIMIT:
            verdict = "  OVER 10 %"
        lines.append(
            f"{name:<22} {g['from']:5.0f}s {g['to']:5.0f}s {g['before']:8.1f} {g['after']:8.1f} "
            f"{g['growth']:+7.1%}{verdict}"
        )
    return lines


def draw(
    path: Path,
    series: dict,
    samples: list[tuple[float, str, float]],
    windows: list[Window],
    title: str,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seconds = len(series["throughput"])
    minutes = [s / 60 for s in range(seconds)]
    figure, axes = plt.subplots(4, 1, figsize=(13, 12), sharex=True)
    throughput, latency, errors, memory = axes
    throughput.plot(minutes, series["throughput"], lw=0.7, color="tab:blue")
    throughput.set_ylabel("answers / s")
    latency.plot(minutes, series["p50"], lw=0.8, label="p50", color="tab:green")
    latency.plot(minutes, series["p99"], lw=0.8, label="p99", color="tab:red")
    latency.set_yscale("log")
    latency.set_ylabel("latency, ms (5 s around)")
    latency.legend(loc="upper left")
    errors.bar(minutes, series["expected"], width=1 / 60, color="tab:orange", label="styled 503")
    errors.bar(
        minutes,
        series["unexpected"],
        width=1 / 60,
        bottom=series["expected"],
        color="black",
        label="unexpected",
    )
    errors.set_ylabel("failed answers / s")
    errors.legend(loc="upper left")
    draw_memory(memory, samples)
    for axis in axes:
        for w in windows:
            axis.axvspan(w.start / 60, (w.end + GRACE) / 60, color="tab:red", alpha=0.12, lw=0)
    for w in windows:
        throughput.annotate(
            w.name,
            (w.start / 60, 1),
            xycoords=("data", "axes fraction"),
            rotation=90,
            va="top",
            ha="right",
            fontsize=8,
        )
    memory.set_xlabel("minutes")
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def draw_memory(axis, samples) -> None:
    lines = defaultdict(list)
    for at, name, rss in samples:
        lines[name].append((at / 60, rss))
    roles = sorted({name.split("/")[0] for name in lines})
    colours = {role: f"C{n % 10}" for n, role in enumerate(roles)}
    labelled = set()
    for name, points in sorted(lines.items()):
        role = name.split("/")[0]
        label = None if role in labelled else role
        labelled.add(role)
        axis.plot(*zip(*points, strict=True), lw=0.8, color=colours[role], label=label)
    axis.set_ylabel("resident memory, MB")
    axis.legend(loc="upper left", fontsize=7, ncol=4)
