using Pipeline.ServiceDefaults;

namespace Pipeline.Tests.Messaging;

/// <summary>What a worker's heartbeat reports as in flight: the rounds of every running batch and when the oldest
/// started; a batch ends when its scope is disposed, once, also when it failed.</summary>
public sealed class WorkInFlightTests
{
    [Fact]
    public void Rounds_add_up_over_running_batches_and_the_oldest_start_is_reported_until_it_ends()
    {
        var work = new WorkInFlight();
        Assert.Equal((0, (DateTime?)null), work.Snapshot());

        var before = DateTime.UtcNow;
        var first = work.Begin(5);
        Thread.Sleep(20);
        var second = work.Begin(3);
        var (rounds, since) = work.Snapshot();
        Assert.Equal(8, rounds);
        Assert.InRange(since!.Value, before, DateTime.UtcNow.AddMilliseconds(-15));

        first.Dispose();
        first.Dispose();   // twice changes nothing
        (rounds, var later) = work.Snapshot();
        Assert.Equal(3, rounds);
        Assert.True(later > since);

        try
        {
            using (work.Begin(2)) throw new InvalidOperationException("engine failed");
        }
        catch (InvalidOperationException) { }
        Assert.Equal(3, work.Snapshot().Rounds);
        second.Dispose();
        Assert.Equal((0, (DateTime?)null), work.Snapshot());
    }
}
