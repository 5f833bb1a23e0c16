using Pipeline.ServiceDefaults;

namespace Pipeline.Tests.Messaging;

/// <summary>What a worker's heartbeat reports as in flight: the rounds of every running batch and when the oldest
/// started; a batch ends when its scope is disposed, once, also when it failed.</summary>
public sealed class WorkInFlightTests
{
    private const string P = "proposal";

    [Fact]
    public void Rounds_add_up_over_running_batches_and_the_oldest_start_is_reported_until_it_ends()
    {
        var work = new WorkInFlight();
        Assert.Equal((0, (DateTime?)null), work.Snapshot(P));

        var before = DateTime.UtcNow;
        var first = work.Begin(P, 5);
        Thread.Sleep(20);
        var second = work.Begin(P, 3);
        var (rounds, since) = work.Snapshot(P);
        Assert.Equal(8, rounds);
        Assert.InRange(since!.Value, before, DateTime.UtcNow.AddMilliseconds(-15));

        first.Dispose();
        first.Dispose();   // twice changes nothing
        (rounds, var later) = work.Snapshot(P);
        Assert.Equal(3, rounds);
        Assert.True(later > since);

        try
        {
            using (work.Begin(P, 2)) throw new InvalidOperationException("engine failed");
        }
        catch (InvalidOperationException) { }
        Assert.Equal(3, work.Snapshot(P).Rounds);
        second.Dispose();
        Assert.Equal((0, (DateTime?)null), work.Snapshot(P));
    }

    [Fact]
    public void Each_role_reports_only_its_own_batches()
    {
        // the combined worker runs both roles in one process: a PRM batch must not make the proposal role look busy
        var work = new WorkInFlight();
        using (work.Begin("verifier", 4))
        {
            Assert.Equal((0, (DateTime?)null), work.Snapshot(P));
            Assert.Equal(4, work.Snapshot("verifier").Rounds);
            using (work.Begin(P, 2)) Assert.Equal(2, work.Snapshot(P).Rounds);
        }
        Assert.Equal(0, work.Snapshot("verifier").Rounds);
    }
}
