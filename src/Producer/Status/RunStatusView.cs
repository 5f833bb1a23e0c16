using System.Globalization;
using Pipeline.Storage.Queries;
using Pipeline.Storage.Searches;
using Pipeline.Storage.Workers;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Pipeline.Producer.Status;

/// <summary>Everything <c>run status</c> shows, read at one moment.</summary>
public sealed record RunStatusSnapshot(
    RunInfo Run,
    IReadOnlyList<StrategyProgress> Strategies,
    long RecentSteps,
    TimeSpan RecentWindow,
    IReadOnlyList<QueueDepth>? Queues,
    string? QueueError,
    DateTime Now,
    RunTrouble? Trouble = null,
    IReadOnlyList<WorkerStatusRow>? Workers = null);

/// <summary>Renders a <see cref="RunStatusSnapshot"/>; pure, so tests can check the numbers it prints.</summary>
public static class RunStatusView
{
    private const int BarWidth = 20;
    private const int MaxWorkerRows = 12;

    public static IRenderable Render(RunStatusSnapshot s)
    {
        var r = s.Run;
        var rows = new List<IRenderable>
        {
            new Markup($"run [blue]{Markup.Escape(r.Name)}[/] {r.RunId}  dataset {Markup.Escape(r.Dataset)}  status [bold]{r.Status.Name()}[/]"),
            new Markup($"models: policy {Markup.Escape(r.PolicyModel)}, prm {Markup.Escape(r.PrmModel)}{(r.RevisionModel is null ? "" : $", revision {Markup.Escape(r.RevisionModel)}")}"),
        };

        var table = new Table().AddColumns("strategy", "progress", "done", "failed", "running", "steps");
        foreach (var p in s.Strategies)
            table.AddRow(new Markup(Markup.Escape(p.Label)), Bar(p.Done + p.Failed, p.Searches),
                new Text($"{p.Done}/{p.Searches}"), new Text(p.Failed.ToString(CultureInfo.InvariantCulture)),
                new Text(p.Running.ToString(CultureInfo.InvariantCulture)), new Text(p.Steps.ToString(CultureInfo.InvariantCulture)));
        table.AddRow(new Markup("[bold]all[/]"), Bar(r.SearchesDone + r.SearchesFailed, r.Searches),
            new Text($"{r.SearchesDone}/{r.Searches}"), new Text(r.SearchesFailed.ToString(CultureInfo.InvariantCulture)),
            new Text(r.SearchesRunning.ToString(CultureInfo.InvariantCulture)), new Text(r.Steps.ToString(CultureInfo.InvariantCulture)));
        rows.Add(table);

        rows.Add(new Markup(Rates(s)));
        if (s.Trouble is { } t)
        {
            if (t.Stalled > 0)
                rows.Add(new Markup($"[yellow]stalled:[/] {t.Stalled} running searches wait on a lost round (re-requested) or one in an _error queue ({t.Faulted}; `pipeline errors list`)"));
            foreach (var (reason, n) in t.FailureReasons.Take(5))
                rows.Add(new Markup($"[red]failed[/] {n}: {Markup.Escape(reason)}"));
        }

        if (s.Workers is { } workers) rows.AddRange(Workers(r, workers));

        if (s.Queues is { } queues)
        {
            var q = new Table().AddColumns("queue", "ready", "unacked", "consumers");
            foreach (var d in queues)
                q.AddRow(Markup.Escape(d.Name), d.Ready.ToString(CultureInfo.InvariantCulture),
                    d.Unacknowledged.ToString(CultureInfo.InvariantCulture), d.Consumers.ToString(CultureInfo.InvariantCulture));
            if (queues.Count == 0) q.AddRow("(no queues yet)", "", "", "");
            rows.Add(q);
        }
        else rows.Add(new Markup($"[yellow]queue depths unavailable:[/] {Markup.Escape(s.QueueError ?? "unknown error")}"));
        return new Rows(rows);
    }

    /// <summary>Steps/s over the recent window and since the first search started; ETA from searches finished per second.</summary>
    internal static string Rates(RunStatusSnapshot s)
    {
        var r = s.Run;
        var recent = s.RecentSteps / Math.Max(1, s.RecentWindow.TotalSeconds);
        var parts = new List<string>
        {
            $"steps/s: {recent.ToString("0.0", CultureInfo.InvariantCulture)} (last {s.RecentWindow.TotalSeconds:0} s)",
        };
        if (r.FirstStartedAt is { } start)
        {
            var end = r.Finished && r.LastFinishedAt is { } last ? last : s.Now;
            var elapsed = Math.Max(1, (end - start).TotalSeconds);
            parts.Add($"{(r.Steps / elapsed).ToString("0.0", CultureInfo.InvariantCulture)} average");
            parts.Add($"tokens generated: {r.GeneratedTokens.ToString(CultureInfo.InvariantCulture)}");
            var finished = r.SearchesDone + r.SearchesFailed;
            var remaining = r.Searches - finished;
            if (remaining == 0) parts.Add("finished");
            else if (s.Trouble is { Stalled: > 0 } && s.RecentSteps == 0) parts.Add("stalled (no step stored lately; see below)");
            else if (finished > 0) parts.Add($"ETA {Duration(TimeSpan.FromSeconds(remaining * elapsed / finished))}");
            else parts.Add("ETA unknown (no search finished yet)");
        }
        else parts.Add("not started (no worker has picked up a search yet)");
        return string.Join("  ", parts);
    }

    /// <summary>The workers that announced the run's models (alive first, then the most recently seen), and a warning
    /// line when a model has no alive worker.</summary>
    internal static IEnumerable<IRenderable> Workers(RunInfo r, IReadOnlyList<WorkerStatusRow> workers)
    {
        var unserved = WorkerCoverage.Unserved(WorkerCoverage.Models(r.PolicyModel, r.PrmModel, r.RevisionModel), workers);
        if (unserved.Count > 0 && !r.Finished)
            yield return new Markup($"[yellow]no alive worker serves[/] {Markup.Escape(WorkerCoverage.Describe(unserved, workers))}");
        if (workers.Count == 0) yield break;
        var t = new Table().AddColumns("worker", "role", "model", "device", "last seen", "alive", "busy");
        foreach (var w in workers.Take(MaxWorkerRows))
            t.AddRow(Markup.Escape(w.WorkerId), w.Role, Markup.Escape($"{w.ModelSlot} {w.Model}"), Markup.Escape(w.Device),
                $"{Duration(TimeSpan.FromSeconds(Math.Max(0, w.SecondsSinceSeen)))} ago", w.Alive ? "[green]yes[/]" : "[grey]no[/]", Busy(w));
        if (workers.Count > MaxWorkerRows) t.AddRow($"({workers.Count - MaxWorkerRows} more)", "", "", "", "", "", "");
        yield return t;
    }

    /// <summary>The batch a worker was running at its last heartbeat: "16 rounds, 1m30s"; "idle"; nothing for a dead worker.</summary>
    internal static string Busy(WorkerStatusRow w) =>
        !w.Alive ? "" : w.RoundsInFlight > 0 && w.BusySeconds is { } s
            ? $"{w.RoundsInFlight} round{(w.RoundsInFlight == 1 ? "" : "s")}, {Duration(TimeSpan.FromSeconds(Math.Max(0, s)))}"
            : "idle";

    internal static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:00}s" : $"{Math.Ceiling(t.TotalSeconds)}s";

    private static Markup Bar(long done, long total)
    {
        var fraction = total == 0 ? 0 : (double)done / total;
        var filled = (int)Math.Round(fraction * BarWidth);
        return new Markup($"[green]{new string('━', filled)}[/][grey]{new string('━', BarWidth - filled)}[/] {(fraction * 100).ToString("0", CultureInfo.InvariantCulture)}%");
    }
}
