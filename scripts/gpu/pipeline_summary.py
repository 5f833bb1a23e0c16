#!/usr/bin/env python3
"""The summary of scripts/gpu/pipeline_run.sh (issue 17): reads what it left in WORK (runs/NAME/: meta.txt,
db.txt + db-columns.txt, the three services' log lines of that run; baseline/NAME/bench.json and prm/prm-round.json;
specs/NAME.yaml) and nvidia-smi's samples (--gpu), and writes OUT/summary.md and OUT/summary.json, and
runs/NAME/baseline-args.txt (the GpuBench batches of that run) and prm-baseline-args.txt (its PRM tree shape).

Where the time goes, per round (means over the run's rounds, in ms):
  expand wait   ExpandRound published -> its ProposalWorker batch started (broker, prefetch, batch filling)
  expand        the batch's engine time (every round of a batch is charged the whole batch)
  score wait    ScoreRound published -> its VerifierWorker batch started
  score         the PRM batch's time
  aggregator    RoundScored published -> next ExpandRound published (queue wait + store + plan), of which
                'store' is the Aggregator's own work
and the round latency from the database (completion of a round minus that of the previous one) to compare.
Standard library only (the GPU machine's Python has nothing else we rely on)."""
import argparse
import csv
import datetime as dt
import json
import os
import re
import statistics

EXPAND = re.compile(r"expanded (\d+) rounds: (\d+) candidates, (\d+) tokens in (\d+) ms \(queued (\d+) ms mean, (\d+) ms max\)")
SCORE = re.compile(r"scored (\d+) rounds: (\d+) sequences, (\d+) steps in (\d+) ms \(queued (\d+) ms mean, (\d+) ms max\)")
# OnnxStepScorer, after each batch of a shared-cache PRM: running totals of its prefill
PREFILL = re.compile(r"PRM prefill so far: (\d+) tokens run, (\d+) tokens from prefixes kept across calls \((\d+) hits; (\d+) prefixes, ([\d.]+) GiB kept now; (\d+) evicted(?:; (\d+) not kept, arena full)?(?:; ([\d.]+) GiB copied into pasts and kept prefixes)?\)")
# the time at the start of a log line (the services log UTC times of day)
CLOCK = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d+) ")
ROUND = re.compile(r"round latency ([\d.]+) ms \(search \d+ round \d+; stored and planned in ([\d.]+) ms\)")


def read_kv(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            if k:
                out[k] = v
    return out


def read_db(run_dir):
    cols_path, row_path = os.path.join(run_dir, "db-columns.txt"), os.path.join(run_dir, "db.txt")
    if not os.path.exists(row_path) or os.path.getsize(row_path) == 0:
        return {}
    cols = open(cols_path).read().strip().split("|")
    vals = open(row_path).read().strip().splitlines()[0].split("|")
    return {c: (float(v) if v not in ("",) else None) for c, v in zip(cols, vals)}


def parse(text_lines, rx):
    """The numbers of every line rx matches, as floats (an optional group that did not match: 0)."""
    return [tuple(float(x) if x is not None else 0.0 for x in m.groups()) for m in map(rx.search, text_lines) if m]


def lines(path, rx, read=parse):
    """read(the file's lines, rx) of the file at path; [] when it does not exist."""
    if not os.path.exists(path):
        return []
    with open(path, errors="replace") as f:
        return read(f, rx)


def weighted_mean(pairs):
    """pairs of (weight, value)"""
    w = sum(p[0] for p in pairs)
    return sum(p[0] * p[1] for p in pairs) / w if w else None


def busy_intervals(text_lines, rx):
    """(start, end) in seconds of the day of each batch line rx matches: the line is logged when the batch ends, and its
    fourth number is the batch's ms. A time earlier than the one before it is taken as the next day."""
    out, day, last = [], 0.0, None
    for line in text_lines:
        m, c = rx.search(line), CLOCK.match(line)
        if not (m and c):
            continue
        t = int(c.group(1)) * 3600 + int(c.group(2)) * 60 + int(c.group(3)) + float("0." + c.group(4)) + day
        if last is not None and t < last - 43200:
            day += 86400
            t += 86400
        last = t
        out.append((t - float(m.group(4)) / 1000, t))
    return out


def overlap_s(a, b):
    """Seconds during which an interval of a and one of b both run (each list's intervals do not overlap each other)."""
    total, j = 0.0, 0
    b = sorted(b)
    for s, e in sorted(a):
        while j < len(b) and b[j][1] <= s:
            j += 1
        k = j
        while k < len(b) and b[k][0] < e:
            total += max(0.0, min(e, b[k][1]) - max(s, b[k][0]))
            k += 1
    return total


def idle_s(a, b):
    """Seconds between the first batch's start and the last batch's end of a and b together during which no batch of
    either runs: both models idle on the GPU, whatever the queues held."""
    spans = sorted(a + b)
    if not spans:
        return 0.0
    idle, end = 0.0, spans[0][1]
    for s, e in spans[1:]:
        if s > end:
            idle += s - end
        end = max(end, e)
    return idle


# MassTransit's warning when a consumer's batch failed and is retried: the worker ran (part of) the batch for nothing
RETRY = re.compile(r"R-RETRY \S+/(expand-round|score-round) ")
# ONNX Runtime captures CUDA graphs in global mode: another thread's CUDA call during a capture fails or spoils it
CAPTURE_CONFLICT = re.compile(r"when stream is capturing|during capture")


def retries(text_lines):
    """Retried batches in a worker log, per queue, and how many of them failed on a CUDA graph capture conflict."""
    out = {"expand-round": 0, "score-round": 0, "capture_conflicts": 0}
    for line in text_lines:
        m = RETRY.search(line)
        if m:
            out[m.group(1)] += 1
            out["capture_conflicts"] += bool(CAPTURE_CONFLICT.search(line))
    return out


def batch_stats(batches, wall):
    # (rounds, items, work, ms, queue_mean, queue_max) per batch
    if not batches:
        return None
    busy = sum(b[3] for b in batches) / 1000
    items = [b[1] for b in batches]
    return {
        "batches": len(batches),
        "rounds_per_batch": statistics.mean(b[0] for b in batches),
        "rounds_per_batch_median": statistics.median(b[0] for b in batches),
        "rounds": sum(b[0] for b in batches),
        "items_per_batch_mean": statistics.mean(items),
        "items_per_batch_median": statistics.median(items),
        "items_per_batch_max": max(items),
        "items": sum(items),
        "work": sum(b[2] for b in batches),
        "busy_s": busy,
        "busy_share": busy / wall if wall else None,
        "work_per_busy_s": sum(b[2] for b in batches) / busy if busy else None,
        "round_ms": weighted_mean([(b[0], b[3]) for b in batches]),
        "queue_ms": weighted_mean([(b[0], b[4]) for b in batches]),
        "queue_max_ms": max(b[5] for b in batches),
    }


def prm_prefill(prefill, scored):
    """What a shared-cache PRM ran per scored sequence over a run, from its running totals (PREFILL lines, one logged
    just before each batch's SCORE line): the first total already holds the run's first batch (and anything before
    the run), so the deltas cover the batches after it and are divided by their sequences alone. None with fewer
    than two totals."""
    if len(prefill) < 2 or len(scored) < 2:
        return None
    sequences = sum(b[1] for b in scored[1:len(prefill)])
    if sequences <= 0:
        return None
    run, kept = prefill[-1][0] - prefill[0][0], prefill[-1][1] - prefill[0][1]
    return {"batches": len(prefill) - 1, "sequences": sequences, "tokens_run": run, "tokens_kept": kept,
            "run_per_sequence": run / sequences, "kept_per_sequence": kept / sequences,
            "kept_share": kept / (run + kept) if run + kept > 0 else None,
            "kept_gib_max": max(p[4] for p in prefill), "evicted": prefill[-1][5] - prefill[0][5],
            "not_kept": prefill[-1][6] - prefill[0][6] if len(prefill[0]) > 6 else 0,
            # device copies into the runs' pasts and the kept prefixes (logged since 2026-12-02; 0 before)
            "copied_gib_per_batch": (prefill[-1][7] - prefill[0][7]) / (len(prefill) - 1) if len(prefill[0]) > 7 and prefill[-1][7] > 0 else None}


def spec_beam_width(path):
    """The first strategy's beam_width in a run spec (a number, 'sqrt', or None without one: best-of-N, revisions).
    A line match, not YAML: the GPU machine's Python has no yaml module."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        for line in f:
            m = re.search(r"\bbeam_width:\s*(\w+)", line.split("#", 1)[0])
            if m:
                return m.group(1)
    return None


def prm_shape(verifier, db, beam_width):
    """The tree a VerifierWorker batch scored, as GpuBench prm-round's case (PrmRoundBench): searches per batch
    (its median rounds, one search's round each), candidates per round, beams of `width` sharing `depth` earlier
    steps after the problem, and the tokens of a step and of the problem. Best-of-N (no beam_width) is width 1:
    each candidate its own steps, only the problem shared. Depth = a scored sequence's mean steps - 1: a round's
    PRM time grows about linearly with depth and so do its scored steps, so the mean depth's steps/s prices the
    run's scored steps as the rounds of every depth would."""
    candidates = max(1, round(verifier["items"] / verifier["rounds"]))
    if beam_width is None:
        width = 1
    elif beam_width == "sqrt":   # StrategyConfig.EffectiveBeamWidth: the divisor of N nearest sqrt(N), the smaller on a tie
        width = min((d for d in range(1, candidates + 1) if candidates % d == 0), key=lambda d: (abs(d - candidates ** 0.5), d))
    else:
        width = min(int(beam_width), candidates)
    candidates = max(width, round(candidates / width) * width)   # whole beams
    return {"searches": max(1, round(verifier["rounds_per_batch_median"])), "candidates": candidates, "width": width,
            "depth": max(0, int(verifier["work"] / verifier["items"] - 0.5)),   # mean steps - 1, halves rounded up
            "step_tokens": max(1, round((db.get("generated_tokens") or 0) / db["steps"])),
            # the problem's length: the policy's prompt at the first step (template + problem), a PRM's template is similar
            "problem_tokens": round(db.get("first_prompt_tokens") or 0)}


def gpu_samples(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for row in csv.reader(f):
            if len(row) < 3 or row[0].startswith("timestamp"):
                continue
            try:
                t = dt.datetime.strptime(row[0].strip(), "%Y/%m/%d %H:%M:%S.%f").replace(tzinfo=dt.timezone.utc).timestamp()
                out.append((t, float(row[1].strip().split()[0]), float(row[2].strip().split()[0])))
            except ValueError:
                continue
    return out


def percentile(values, p):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(len(s) * p / 100 + 0.999) - 1))]


def summarize(work, name, gpu):
    d = os.path.join(work, "runs", name)
    meta, db = read_kv(os.path.join(d, "meta.txt")), read_db(d)
    start = db.get("submitted") or float(meta["t_submit"])
    end = db.get("last_round") if meta.get("finished") == "1" and db.get("last_round") else float(meta["t_done"])
    wall = end - start
    tokens = db.get("generated_tokens") or 0
    r = {"name": name, "run_id": meta.get("run_id"), "finished": meta.get("finished") == "1", "wall_s": wall,
         "db": db, "generated_tokens": tokens, "tokens_per_s": tokens / wall if wall > 0 else None}
    searches = db.get("searches") or 0
    # scripts/load-test.sh's steps/s (issue 15), for comparison with its synthetic-backend numbers
    span = (db.get("last_round") or 0) - (db.get("first_start") or 0)
    r["steps_per_s"] = db["steps"] / span if db.get("steps") and span > 0 else None
    r["projected_500_h"] = wall * 500 / searches / 3600 if searches and r["finished"] else None
    r["proposal"] = batch_stats(lines(os.path.join(d, "proposal-worker.log"), EXPAND), wall)
    scored = lines(os.path.join(d, "verifier-worker.log"), SCORE)
    r["verifier"] = batch_stats(scored, wall)
    r["prm_prefill"] = prm_prefill(lines(os.path.join(d, "verifier-worker.log"), PREFILL), scored)
    # both models at work at once: the policy's and the PRM's batches overlapping in time (one GPU: do they take turns?)
    pi = lines(os.path.join(d, "proposal-worker.log"), EXPAND, busy_intervals)
    vi = lines(os.path.join(d, "verifier-worker.log"), SCORE, busy_intervals)
    both = overlap_s(pi, vi)
    r["both_busy_s"] = both if pi and vi else None
    r["both_busy_share"] = both / wall if pi and vi and wall else None
    r["neither_busy_s"] = idle_s(pi, vi) if pi and vi else None
    # a combined worker's slices of the log hold both consumers' lines: count each line once
    r["retries"] = retries(dict.fromkeys(x for f in ("proposal-worker.log", "verifier-worker.log")
                                         for x in lines(os.path.join(d, f), None, lambda text, _: list(text))))
    # a run with rounds but no matching log line means a service's log line changed: say so rather than show blanks
    r["warnings"] = [f"{svc}: no line matched {rx.pattern[:30]}... (log format changed?)"
                     for svc, rx, got in (("proposal-worker", EXPAND, r["proposal"]), ("verifier-worker", SCORE, r["verifier"]))
                     if (db.get("rounds") or 0) > 0 and not got]
    agg = lines(os.path.join(d, "aggregator.log"), ROUND)
    r["aggregator"] = {"rounds": len(agg), "latency_ms_mean": statistics.mean(a[0] for a in agg),
                       "latency_ms_p50": percentile([a[0] for a in agg], 50), "latency_ms_p99": percentile([a[0] for a in agg], 99),
                       "store_ms_mean": statistics.mean(a[1] for a in agg)} if agg else None
    window = [g for g in gpu if start <= g[0] <= end]
    if (db.get("rounds") or 0) > 0 and not agg:
        r["warnings"].append("aggregator: no Debug 'round latency' line (log format or level changed?)")
    r["gpu"] = {"samples": len(window), "util_mean": statistics.mean(g[1] for g in window),
                "memory_max_mib": max(g[2] for g in window),
                # utilisation over time: the mean of each tenth of the run's window
                "util_by_tenth": [statistics.mean(x) if x else None for x in
                                  ([g[1] for g in window if start + k * wall / 10 <= g[0] < start + (k + 1) * wall / 10] for k in range(10))]
                } if window else None
    # the engine batches the ProposalWorker ran, for the GpuBench baseline (its prompts file holds 256)
    p = r["proposal"]
    if p:
        cap = int(os.environ.get("Inference__MaxBatchSize", "256"))
        batches = sorted({min(cap, 256, int(p["items_per_batch_median"])), min(cap, 256, int(p["items_per_batch_max"]))})
        newtok = int(db.get("max_new_tokens") or 40)
        with open(os.path.join(d, "baseline-args.txt"), "w") as f:
            f.write(f"{','.join(str(b) for b in batches if b > 0)} {newtok}\n")
        r["baseline_batches"] = batches
    # the PRM's share: GpuBench prm-round on the tree a VerifierWorker batch scored. PrefixPrmScorer runs shared
    # prefixes once (the problem once per search, a beam's earlier steps once per beam), so a bench of separate
    # sequences (prm mode) priced the same steps 3-4x too slow (docs/gpu.md)
    v = r["verifier"]
    if v and db.get("steps"):
        r["prm_shape"] = shape = prm_shape(v, db, spec_beam_width(os.path.join(work, "specs", f"{name}.yaml")))
        with open(os.path.join(d, "prm-baseline-args.txt"), "w") as f:
            f.write("{searches},{candidates},{width},{depth} {step_tokens} {problem_tokens}\n".format(**shape))
    prm_bench = os.path.join(work, "baseline", name, "prm", "prm-round.json")
    if os.path.exists(prm_bench) and v:
        row = json.load(open(prm_bench))["rows"][0]
        r["prm_baseline"] = {k: row[k] for k in ("case", "searches", "candidates_per_search", "width", "depth", "problem_tokens",
                                                 "step_tokens", "candidates", "prefilled_tokens", "scored_steps", "steps_per_s")}
    bench = os.path.join(work, "baseline", name, "bench.json")
    if os.path.exists(bench):
        rows = json.load(open(bench))["rows"]
        r["baseline"] = [{"batch": x["batch"], "new_tokens": x["new_tokens"], "tokens_per_s": x["tokens_per_s"]} for x in rows]
        at = next((x for x in rows if x["batch"] == r["baseline_batches"][0]), None) if r.get("baseline_batches") else None
        if at and r["tokens_per_s"]:
            r["pipeline_efficiency"] = r["tokens_per_s"] / at["tokens_per_s"]
            # the same work done by the two engines one after the other, no pipeline: generation at the engine's
            # tok/s plus every scored step at the PRM's steps/s; its ratio to the wall time is what the pipeline
            # (queues, storing, planning, two models sharing one GPU) costs over running the engines directly
            if r.get("prm_baseline") and r["verifier"]:
                r["prm_alone_s"] = r["verifier"]["work"] / r["prm_baseline"]["steps_per_s"]
                r["policy_alone_s"] = policy_s = tokens / at["tokens_per_s"]
                r["engines_alone_s"] = engines_s = policy_s + r["prm_alone_s"]
                r["efficiency_vs_engines"] = engines_s / wall if wall > 0 else None
                # one GPU, the two models overlapped perfectly and neither slowed by the other: the wall is at least the
                # slower engine's time, so the efficiency against the policy alone is at most policy alone / that
                r["efficiency_ceiling"] = policy_s / max(policy_s, r["prm_alone_s"])
    return r


def fmt(v, spec="{:.0f}", none="-"):
    return none if v is None else spec.format(v)


def markdown(runs, settings):
    out = ["# The whole pipeline on one GPU (scripts/gpu/pipeline_run.sh)", ""]
    out += ["| run | searches | done/failed | wall s | rounds | samples | generated tokens | tokens/sample | pipeline tok/s | "
            "engine tok/s (baseline, batch) | efficiency | policy + PRM engines alone s | efficiency vs both engines | steps/s | GPU util % | GPU mem MiB | projected h (500 problems) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        db = r["db"]
        base = r.get("baseline") or []
        b0 = base[0] if base else None
        out.append("| {} | {} | {}/{} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            r["name"] + ("" if r["finished"] else " (unfinished)"), fmt(db.get("searches")), fmt(db.get("done")), fmt(db.get("failed")),
            fmt(r["wall_s"], "{:.1f}"), fmt(db.get("rounds")), fmt(db.get("candidates")), fmt(r["generated_tokens"]),
            fmt(r["generated_tokens"] / db["candidates"] if db.get("candidates") else None, "{:.0f}"), fmt(r["tokens_per_s"]),
            f"{b0['tokens_per_s']:.0f} (b={b0['batch']})" if b0 else "-", fmt(r.get("pipeline_efficiency"), "{:.0%}"),
            fmt(r.get("engines_alone_s"), "{:.1f}"), fmt(r.get("efficiency_vs_engines"), "{:.0%}"), fmt(r.get("steps_per_s")),
            fmt(r["gpu"]["util_mean"] if r["gpu"] else None, "{:.0f}"), fmt(r["gpu"]["memory_max_mib"] if r["gpu"] else None),
            fmt(r["projected_500_h"], "{:.2f}")))
    out += ["", "## Where the time goes (mean per round, ms)", "",
            "| run | submit -> first search started | round latency (DB) p50 / p90 / max | expand wait | expand | score wait | score | aggregator (of it store) | sum |",
            "|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        db, p, v, a = r["db"], r["proposal"] or {}, r["verifier"] or {}, r["aggregator"] or {}
        parts = [p.get("queue_ms"), p.get("round_ms"), v.get("queue_ms"), v.get("round_ms"), a.get("latency_ms_mean")]
        total = sum(x for x in parts if x is not None)
        start = db["first_start"] - db["submitted"] if db.get("first_start") and db.get("submitted") else None
        out.append("| {} | {} | {} ({} / {} / {}) | {} | {} | {} | {} | {} ({}) | {} |".format(
            r["name"], fmt(start * 1000 if start is not None else None), fmt(db["lat_mean"] * 1000 if db.get("lat_mean") is not None else None),
            *(fmt(db[k] * 1000 if db.get(k) is not None else None) for k in ("lat_p50", "lat_p90", "lat_max")),
            *(fmt(x) for x in parts[:4]), fmt(a.get("latency_ms_mean")), fmt(a.get("store_ms_mean"), "{:.1f}"), fmt(total)))
    out += ["", "## Workers", "",
            "| run | worker | batches | rounds/batch | sequences/batch mean (median, max) | busy s | busy % of wall | work/s while busy | queue wait mean (max) ms |",
            "|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        for label, s, unit in (("proposal", r["proposal"], "tokens"), ("verifier", r["verifier"], "steps")):
            if not s:
                out.append(f"| {r['name']} | {label} | 0 | | | | | | |")
                continue
            out.append("| {} | {} | {} | {:.1f} | {:.0f} ({:.0f}, {:.0f}) | {:.1f} | {:.0%} | {:.0f} {} | {:.0f} ({:.0f}) |".format(
                r["name"], label, s["batches"], s["rounds_per_batch"], s["items_per_batch_mean"], s["items_per_batch_median"],
                s["items_per_batch_max"], s["busy_s"], s["busy_share"] or 0, s["work_per_busy_s"] or 0, unit, s["queue_ms"] or 0, s["queue_max_ms"]))
    if any(r.get("efficiency_ceiling") is not None for r in runs):
        out += ["", "Ceiling (the two engines perfectly overlapped, neither slowed by the other: the wall is at least the slower "
                "engine's time, so the efficiency is at most policy alone s / max(policy alone s, PRM alone s)): "
                + "; ".join(f"{r['name']} {r['efficiency_ceiling']:.0%} (policy {r['policy_alone_s']:.1f} s, PRM {r['prm_alone_s']:.1f} s)"
                            for r in runs if r.get("efficiency_ceiling") is not None) + "."]
    if any(r.get("both_busy_s") is not None for r in runs):
        out += ["", "Both at once (the policy's and the PRM's batches overlapping in time, from the two log lines' end times and "
                "durations), and neither (both models idle between the run's first and last batch): "
                + "; ".join(f"{r['name']} {r['both_busy_s']:.1f} s ({r['both_busy_share']:.0%} of the wall), neither {r['neither_busy_s']:.1f} s"
                            for r in runs if r.get("both_busy_s") is not None) + "."]
    if any(sum(r.get("retries", {}).values()) for r in runs):
        out += ["", "Retried batches (MassTransit R-RETRY in the worker log: the batch ran for nothing and waited out a retry "
                "interval): " + "; ".join(f"{r['name']} {r['retries']['expand-round']} expand, {r['retries']['score-round']} score "
                                          f"({r['retries']['capture_conflicts']} on a CUDA graph capture conflict)"
                                          for r in runs if sum(r.get("retries", {}).values())) + "."]
    if any(r["gpu"] for r in runs):
        out += ["", "## GPU utilisation over the run (% per tenth of its wall time)", "",
                "| run | " + " | ".join(f"{k * 10}-{k * 10 + 10}%" for k in range(10)) + " |", "|---" * 11 + "|"]
        for r in runs:
            if r["gpu"]:
                out.append(f"| {r['name']} | " + " | ".join(fmt(u) for u in r["gpu"]["util_by_tenth"]) + " |")
    if any(r.get("baseline") for r in runs):
        out += ["", "## Engine alone (GpuBench at the ProposalWorker's median and largest batch, the run's max_new_tokens per call)", "",
                "| run | batch | new tokens | tok/s |", "|---|---|---|---|"]
        for r in runs:
            for b in r.get("baseline") or []:
                out.append(f"| {r['name']} | {b['batch']} | {b['new_tokens']} | {b['tokens_per_s']:.0f} |")
    if any(r.get("prm_baseline") for r in runs):
        out += ["", "## PRM alone (GpuBench prm-round on one VerifierWorker batch's tree: its searches x candidates, beams of width M",
                "sharing depth earlier steps after the problem; best-of-N is M = 1, only the problem shared)", "",
                "| run | searches x candidates (M, depth) | problem tokens | step tokens | sequences (tokens run) | scored steps/s | "
                "run's scored steps | PRM alone s |", "|---|---|---|---|---|---|---|---|"]
        for r in runs:
            if b := r.get("prm_baseline"):
                out.append(f"| {r['name']} | {b['searches']} x {b['candidates_per_search']} ({b['width']}, {b['depth']}) | {b['problem_tokens']} | "
                           f"{b['step_tokens']} | {b['candidates']} ({b['prefilled_tokens']}) | {b['steps_per_s']:.0f} | "
                           f"{fmt((r['verifier'] or {}).get('work'))} | {fmt(r.get('prm_alone_s'), '{:.1f}')} |")
    if any(r.get("prm_prefill") for r in runs):
        out += ["", "## PRM prefill (shared-cache PRM: tokens it ran, and tokens it took from prefixes kept by earlier batches)", "",
                "| run | batches | sequences | tokens run per sequence | kept tokens per sequence | kept share | kept GiB max | evicted | not kept (arena full) | GiB copied per batch |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for r in runs:
            if q := r.get("prm_prefill"):
                out.append(f"| {r['name']} | {q['batches']} | {q['sequences']:.0f} | {q['run_per_sequence']:.0f} | {q['kept_per_sequence']:.0f} | "
                           f"{fmt(q['kept_share'], '{:.0%}')} | {q['kept_gib_max']:.2f} | {q['evicted']:.0f} | {q.get('not_kept', 0):.0f} | "
                           f"{fmt(q.get('copied_gib_per_batch'), '{:.1f}')} |")
    for r in runs:
        for w in r.get("warnings") or []:
            out.append(f"\n**warning** ({r['name']}): {w}")
    out += ["", "Round latency = a round's completed_at minus the previous round's (or the search's start); its parts: the",
            "workers' per-batch log lines (wait = publish to batch start; expand/score = the whole batch's time, charged to",
            "each of its rounds) and the Aggregator's (RoundScored published -> next ExpandRound published; store = its own work).",
            "", "Wall = run submitted (runs.created_at) to its last stored round; tokens = sum of search_rounds.generated_tokens;",
            "efficiency = pipeline tok/s / the engine's tok/s at the ProposalWorker's median batch; efficiency vs both engines =",
            "(tokens / that engine tok/s + PRM alone s) / wall, PRM alone s = the VerifierWorker's scored steps / the PRM's",
            "steps/s on the run's tree (GpuBench prm-round, shared prefixes run once as PrefixPrmScorer runs them); steps/s = steps stored /",
            "(last round stored - first search started), as scripts/load-test.sh; GPU util = nvidia-smi's",
            "utilization.gpu averaged over the run's window (500 ms samples); projected = wall x 500 / searches.", "",
            "Settings: " + (", ".join(settings) if settings else "defaults")]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--gpu", help="nvidia-smi's csv (default WORK/gpu.csv)")
    ap.add_argument("--runs", required=True, help="the run names, in the order they ran")
    a = ap.parse_args()
    gpu = gpu_samples(a.gpu or os.path.join(a.work, "gpu.csv"))
    runs = [summarize(a.work, n, gpu) for n in a.runs.split() if os.path.exists(os.path.join(a.work, "runs", n, "meta.txt"))]
    sp = os.path.join(a.work, "settings.txt")
    settings = [l.strip() for l in open(sp)] if os.path.exists(sp) else []
    settings = [s for s in settings if not s.startswith("Models__")]
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump({"runs": runs, "settings": settings}, f, indent=2)
    with open(os.path.join(a.out, "summary.md"), "w") as f:
        f.write(markdown(runs, settings))


if __name__ == "__main__":
    main()
