using Pipeline.Storage.Searches;
using Pipeline.Producer.Status;
using Pipeline.Storage.Queries;
using Spectre.Console.Testing;

namespace Pipeline.Tests.Producer;

public sealed class RunStatusViewTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static RunStatusSnapshot Snapshot(long done, long failed, long steps, TimeSpan sinceStart, long recent = 120) => new(
        new RunInfo(Guid.Empty, "r", "d", RunStatus.Running, Start, null, "pol", "prm", null, 100, done, failed, 0, steps, steps * 5, Start, null),
        [new StrategyProgress("best_of_n", 100, done, failed, 0, steps)], recent, TimeSpan.FromSeconds(60), [], null, Start + sinceStart);

    [Fact]
    public void Rates_give_recent_and_average_steps_per_second_and_an_eta_from_finished_searches()
    {
        // 25 of 100 finished in 10 minutes: 75 left at 2.5/min -> 30 minutes
        var text = RunStatusView.Rates(Snapshot(done: 20, failed: 5, steps: 6000, sinceStart: TimeSpan.FromMinutes(10)));
        Assert.Contains("steps/s: 2.0 (last 60 s)", text);
        Assert.Contains("10.0 average", text);
        Assert.Contains("ETA 30m00s", text);
    }

    [Fact]
    public void Searches_waiting_on_lost_rounds_with_no_step_lately_show_stalled_instead_of_an_eta()
    {
        var trouble = new RunTrouble(3, 1, [("round 0 in an _error queue for over 300 s: expand-round_error: not served", 2)]);
        var stalled = Snapshot(20, 5, 6000, TimeSpan.FromMinutes(10), recent: 0) with { Trouble = trouble };
        Assert.Contains("stalled", RunStatusView.Rates(stalled));
        Assert.DoesNotContain("ETA", RunStatusView.Rates(stalled));
        // steps still arriving (other searches go on): the ETA stays
        Assert.Contains("ETA 30m00s", RunStatusView.Rates(stalled with { RecentSteps = 120 }));
        Assert.Contains("ETA 30m00s", RunStatusView.Rates(Snapshot(20, 5, 6000, TimeSpan.FromMinutes(10), recent: 0)));

        var console = new Spectre.Console.Testing.TestConsole().Width(250);
        console.Write(RunStatusView.Render(stalled));
        Assert.Contains("stalled: 3 running searches", console.Output);
        Assert.Contains("failed 2: round 0 in an _error queue for over 300 s: expand-round_error: not served", console.Output);
    }

    [Fact]
    public void Workers_show_alive_first_with_a_line_for_a_model_nobody_alive_serves_until_the_run_is_finished()
    {
        var workers = new Pipeline.Storage.Workers.WorkerStatusRow[]
        {
            new("gpu-1:10", "proposal", "pol", "policy", "cuda:0", Start, 4, true, 16, 90.2),
            new("gpu-2:20", "verifier", "prm", "prm", "cuda:1", Start, 95, false, 2, 300),
            new("gpu-3:30", "proposal", "rev", "revision", "cuda:2", Start, 1, true),
        };
        var running = Snapshot(20, 5, 6000, TimeSpan.FromMinutes(10)) with { Workers = workers };
        var console = new TestConsole().Width(250);
        console.Write(RunStatusView.Render(running));
        Assert.Contains("no alive worker serves prm 'prm' (last heartbeat 1m35s ago from gpu-2:20)", console.Output);
        // busy: the batch at the last heartbeat, idle, or nothing for a dead worker (its last word may be stale)
        Assert.Matches(@"gpu-1:10 +│ proposal │ policy pol +│ cuda:0 +│ 4s ago +│ yes +│ 16 rounds, 1m30s", console.Output);
        Assert.Matches(@"gpu-2:20 +│ verifier │ prm prm +│ cuda:1 +│ 1m35s ago +│ no +│ +│", console.Output);
        Assert.Matches(@"gpu-3:30 +│ proposal │ revision rev +│ cuda:2 +│ 1s ago +│ yes +│ idle", console.Output);

        var finished = running with { Run = running.Run with { Status = RunStatus.Done, SearchesDone = 100, SearchesFailed = 0 } };
        console = new TestConsole().Width(250);
        console.Write(RunStatusView.Render(finished));
        Assert.DoesNotContain("no alive worker serves", console.Output);
        Assert.Contains("gpu-2:20", console.Output);
    }

    [Fact]
    public void Before_any_search_finishes_the_eta_is_unknown()
    {
        Assert.Contains("ETA unknown", RunStatusView.Rates(Snapshot(0, 0, 10, TimeSpan.FromSeconds(30))));
    }

    [Fact]
    public void The_rendering_shows_a_bar_with_the_percentage_and_the_queue_error_when_there_is_one()
    {
        var console = new TestConsole().Width(160);
        console.Write(RunStatusView.Render(Snapshot(50, 0, 100, TimeSpan.FromMinutes(1)) with { Queues = null, QueueError = "connection refused" }));
        Assert.Contains("50%", console.Output);
        Assert.Contains("50/100", console.Output);
        Assert.Contains("queue depths unavailable: connection refused", console.Output);
    }
}

public sealed class QueueDepthClientTests
{
    [Fact]
    public void The_management_api_answer_becomes_queue_depths_sorted_by_name_with_missing_counters_as_zero()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("""
            [{"name": "score-round", "messages_ready": 7, "messages_unacknowledged": 2, "consumers": 1},
             {"name": "expand-round", "consumers": 0}]
            """);
        var depths = Pipeline.Producer.Status.QueueDepthClient.Parse(doc.RootElement);
        Assert.Equal([new("expand-round", 0, 0, 0), new Pipeline.Producer.Status.QueueDepth("score-round", 7, 2, 1)], depths);
    }
}

public sealed class RunReportViewTests
{
    [Fact]
    public void Cross_validated_table_has_one_column_per_bin_and_best_of_n_beside_each_cell()
    {
        var console = new TestConsole().Width(200);
        console.Write(Pipeline.Producer.Reports.RunReportView.RenderComputeOptimalCv(
        [
            new(1, 16, 20, 18, 0.9, "beam(M=4) weighted/last; beam(M=4) weighted/last", 0.85),
            new(5, 16, 20, 4, 0.2, "best_of_n majority/none; best_of_n weighted/last", 0.2),
            new(1, 64, 20, 19, 0.95, "x", null),
        ], "oracle"));
        var lines = console.Output.Split('\n');
        Assert.Contains(lines, l => l.Contains("B1") && l.Contains("B5"));
        Assert.Contains(lines, l => l.Contains("│ 16 ") && l.Contains("90.0 vs 85.0") && l.Contains("20.0 vs 20.0"));
        Assert.Contains(lines, l => l.Contains("│ 64 ") && l.Contains("95.0") && !l.Contains("vs"));
    }

    [Fact]
    public void Level_tables_follow_the_given_strategy_order_and_hide_other_step_aggregations()
    {
        Pipeline.Storage.Queries.AccuracyRow Row(string label, string agg, string step, int? level, bool all, int correct) =>
            new(label, 4, agg, step, level, all, 2, correct, correct / 2.0, 10);
        var console = new TestConsole().Width(200);
        console.Write(Pipeline.Producer.Reports.RunReportView.Render(
        [
            Row("beam(M=2)", "weighted", "last", 1, false, 1), Row("beam(M=2)", "weighted", "last", null, true, 1),
            Row("best_of_n", "weighted", "min", 1, false, 2), Row("best_of_n", "weighted", "last", 1, false, 2),
            Row("best_of_n", "weighted", "last", null, true, 2),
        ], "last", null, ["best_of_n", "beam(M=2)"]));
        var output = console.Output;
        Assert.True(output.IndexOf("best_of_n", StringComparison.Ordinal) < output.IndexOf("beam(M=2)", StringComparison.Ordinal));
        Assert.DoesNotContain("weighted/min", output);
        Assert.Contains("100.0 (2/2)", output);
        Assert.Contains("50.0 (1/2)", output);
    }
}
