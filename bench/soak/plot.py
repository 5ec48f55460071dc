#!/usr/bin/python3
"""Draws a soak run (bench/soak/run's CSV) as one SVG and prints its figures.

    bench/soak/plot.py build/soak/soak.csv docs/soak.svg [--warmup-s 600]

Four panels over time: RSS, open fds and threads of the scanner, the uploader and the cloud-api,
and the branch database (size and rows). The figures compare the first sample after the
warm-up with the last one and give the range in between, which is what "flat after warm-up"
means here. Needs Debian's python3-matplotlib (scripts/setup).
"""
import argparse
import csv
import sys

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

PROCS = [("scanner", "printmon-scanner"), ("uploader", "printmon-uploader"),
         ("cloud", "printmon-cloud-api")]


def load(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f)]
    if len(rows) < 2:
        sys.exit(f"{path}: fewer than two samples")
    out = {k: [] for k in rows[0]}
    for r in rows:
        for k, v in r.items():
            out[k].append(float(v) if v not in ("", None) else float("nan"))
    return out


def summary(d, key, warmup_s):
    t = d["t_s"]
    after = [v for ts, v in zip(t, d[key]) if ts >= warmup_s]
    if not after:
        after = d[key]
    return after[0], after[-1], min(after), max(after)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("csv")
    p.add_argument("svg")
    p.add_argument("--warmup-s", type=float, default=600)
    p.add_argument("--title", default="printmon soak run")
    a = p.parse_args()
    d = load(a.csv)
    minutes = [t / 60 for t in d["t_s"]]

    fig, axes = plt.subplots(4, 1, figsize=(9, 11), sharex=True)
    for key, label in PROCS:
        axes[0].plot(minutes, [v / 1024 for v in d[f"{key}_rss_kb"]], label=label)
        axes[1].plot(minutes, d[f"{key}_fds"], label=label)
        axes[2].plot(minutes, d[f"{key}_threads"], label=label)
    axes[0].set_ylabel("RSS (MiB)")
    axes[1].set_ylabel("open fds")
    axes[2].set_ylabel("threads")
    db = axes[3]
    db.plot(minutes, [v / 1048576 for v in d["branch_db_bytes"]], color="black",
            label="branch database size")
    db.set_ylabel("database (MiB)")
    rows = db.twinx()
    rows.plot(minutes, [v / 1000 for v in d["readings"]], color="tab:red", linestyle="--",
              label="readings (thousands)")
    rows.plot(minutes, [v / 1000 for v in d["cloud_readings"]], color="tab:purple",
              linestyle=":", label="readings in the cloud (thousands)")
    rows.set_ylabel("rows (thousands)")
    h1, l1 = db.get_legend_handles_labels()
    h2, l2 = rows.get_legend_handles_labels()
    db.legend(h1 + h2, l1 + l2, loc="upper left", fontsize="small")
    for ax in axes[:3]:
        ax.legend(loc="upper left", fontsize="small")
    for ax in axes:
        ax.axvline(a.warmup_s / 60, color="grey", linewidth=0.8, linestyle=":")
        ax.grid(True, linewidth=0.3)
        ax.set_ylim(bottom=0)
    rows.set_ylim(bottom=0)
    axes[3].set_xlabel("minutes (dotted line: end of warm-up)")
    fig.suptitle(a.title)
    fig.tight_layout()
    # A fixed hash salt and no date keep the SVG the same for the same data.
    plt.rcParams["svg.hashsalt"] = "printmon-soak"
    fig.savefig(a.svg, metadata={"Date": None})

    print(f"samples: {len(d['t_s'])} over {d['t_s'][-1] / 60:.1f} min; "
          f"after warm-up (t >= {a.warmup_s / 60:.0f} min): first -> last [min..max]")
    for key, label in PROCS:
        r = summary(d, f"{key}_rss_kb", a.warmup_s)
        f = summary(d, f"{key}_fds", a.warmup_s)
        th = summary(d, f"{key}_threads", a.warmup_s)
        print(f"- {label}: RSS {r[0] / 1024:.1f} -> {r[1] / 1024:.1f} MiB "
              f"[{r[2] / 1024:.1f}..{r[3] / 1024:.1f}]; fds {f[0]:.0f} -> {f[1]:.0f} "
              f"[{f[2]:.0f}..{f[3]:.0f}]; threads {th[0]:.0f} -> {th[1]:.0f} "
              f"[{th[2]:.0f}..{th[3]:.0f}]")
    s = summary(d, "branch_db_bytes", a.warmup_s)
    n = summary(d, "readings", a.warmup_s)
    print(f"- branch database: {s[0] / 1048576:.1f} -> {s[1] / 1048576:.1f} MiB "
          f"[{s[2] / 1048576:.1f}..{s[3] / 1048576:.1f}]; readings {n[0]:.0f} -> {n[1]:.0f} "
          f"[{n[2]:.0f}..{n[3]:.0f}]; peak size over the run "
          f"{max(d['branch_db_bytes']) / 1048576:.1f} MiB")
    print(f"- cloud: {d['cloud_readings'][-1]:.0f} readings delivered; unsent at the end: "
          f"{d['readings_unsent'][-1]:.0f}")


if __name__ == "__main__":
    main()
