using System.Collections.Concurrent;
using MassTransit;
using Pipeline.Contracts;

namespace Pipeline.Tests.EndToEnd;

/// <summary>Keeps every RoundScored the Aggregator consumed, so a test can deliver them again.</summary>
internal sealed class RoundScoredRecorder : IConsumeMessageObserver<RoundScored>
{
    public ConcurrentQueue<RoundScored> Consumed { get; } = new();
    public int Count => Consumed.Count;

    public Task PreConsume(ConsumeContext<RoundScored> context) => Task.CompletedTask;

    public Task PostConsume(ConsumeContext<RoundScored> context)
    {
        Consumed.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public Task ConsumeFault(ConsumeContext<RoundScored> context, Exception exception) => Task.CompletedTask;
}
