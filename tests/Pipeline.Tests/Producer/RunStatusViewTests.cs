using Pipeline.Producer.Status;
using Pipeline.Storage.Queries;
using Spectre.Console.Testing;

namespace Pipeline.Tests.Producer;

public sealed class RunStatusViewTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static RunStatusSnapshot Snapshot(long done, long failed, long steps, TimeSpan sinceStart, long recent = 120) => new(
        new RunInfo(Guid.Empty, "r", "d", "running", Start, null, "pol", "prm", null, 100, done, failed, 0, steps, steps * 5, Start, null),
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
