using Pipeline.ServiceDefaults;

namespace Pipeline.Tests.Messaging;

public sealed class QueueWaitTests
{
    private static readonly DateTime Start = new(2026, 12, 1, 17, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Mean_and_max_over_the_messages_that_carry_a_sent_time()
    {
        var w = QueueWait.Of([Start.AddMilliseconds(-100), null, Start.AddMilliseconds(-300)], Start);
        Assert.Equal(200, w.MeanMs, 6);
        Assert.Equal(300, w.MaxMs, 6);
        Assert.Equal(2, w.Messages);
    }

    [Fact]
    public void A_sent_time_after_the_start_counts_as_no_wait_and_no_times_give_zero()
    {
        Assert.Equal(new QueueWait(0, 0, 1), QueueWait.Of([Start.AddMilliseconds(5)], Start));
        Assert.Equal(new QueueWait(0, 0, 0), QueueWait.Of([null], Start));
    }
}
