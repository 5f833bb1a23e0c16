using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Pipeline.Producer.Infrastructure;
using Pipeline.ServiceDefaults;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Producer.Errors;

/// <summary>One _error queue: its depth and, per run, how many of its messages belong to that run.</summary>
public sealed record ErrorQueueContents(string Queue, uint Messages, IReadOnlyDictionary<Guid, int> ByRun, IReadOnlyList<string> Reasons);

/// <summary>
/// Reads and empties the _error queues MassTransit moves a message to when a consumer gives up on it. Plain
/// RabbitMQ.Client on the bus's own connection settings: passive declares for depths, basic.get to walk the
/// messages, a publish to the source queue plus an ack to move one. Messages left in place are nacked back
/// only after the walk, so none is seen twice.
/// </summary>
public sealed class ErrorQueues(IOptions<RabbitMqOptions> options)
{
    /// <summary>The pipeline's receive endpoints (docs/messaging.md); each may have an _error twin.</summary>
    public static readonly IReadOnlyList<string> Queues =
        ["search-requested", "expand-round", "score-round", "round-scored", "round-accepted", "round-fault"];

    public async Task<IReadOnlyList<ErrorQueueContents>> ListAsync(CancellationToken ct)
    {
        await using var connection = await Factory().CreateConnectionAsync(ct);
        var list = new List<ErrorQueueContents>();
        foreach (var queue in Queues)
        {
            var byRun = new Dictionary<Guid, int>();
            var reasons = new SortedSet<string>(StringComparer.Ordinal);
            var depth = await WalkAsync(connection, queue + "_error", (body, headers) =>
            {
                if (RunOf(body) is { } run) byRun[run] = byRun.GetValueOrDefault(run) + 1;
                if (Header(headers, "MT-Fault-Message") is { } reason) reasons.Add(reason);
                return false;
            }, ct);
            if (depth is { } d) list.Add(new ErrorQueueContents(queue + "_error", d, byRun, [.. reasons]));
        }
        return list;
    }

    /// <summary>Moves messages from <c>QUEUE_error</c> back to <c>QUEUE</c> (every pipeline queue when
    /// <paramref name="queue"/> is null), only those of <paramref name="run"/> when given. Returns moved per queue.</summary>
    public async Task<IReadOnlyDictionary<string, int>> RequeueAsync(string? queue, Guid? run, CancellationToken ct)
    {
        if (queue is not null && !Queues.Contains(queue))
            throw new CliException($"--queue '{queue}' is not a pipeline queue (one of {string.Join(", ", Queues)}; without _error)");
        await using var connection = await Factory().CreateConnectionAsync(ct);
        var moved = new Dictionary<string, int>();
        foreach (var q in queue is null ? Queues : [queue])
        {
            await using var target = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
            var n = 0;
            await WalkAsync(connection, q + "_error", async (get) =>
            {
                if (run is { } r && RunOf(get.Body) != r) return false;
                var props = new BasicProperties(get.BasicProperties);
                await target.BasicPublishAsync("", q, true, props, get.Body, ct);
                n++;
                return true;
            }, ct);
            if (n > 0) moved[q] = n;
        }
        return moved;
    }

    private static Task<uint?> WalkAsync(IConnection connection, string queue, Func<ReadOnlyMemory<byte>, IDictionary<string, object?>?, bool> visit, CancellationToken ct) =>
        WalkAsync(connection, queue, get => Task.FromResult(visit(get.Body, get.BasicProperties.Headers)), ct);

    /// <summary>Visits each message once; <paramref name="visit"/> returning true acks (removes) it. Null when the queue does not exist.</summary>
    private static async Task<uint?> WalkAsync(IConnection connection, string queue, Func<BasicGetResult, Task<bool>> visit, CancellationToken ct)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        uint depth;
        try { depth = (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount; }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404) { return null; }
        var kept = new List<ulong>();
        for (var i = 0; i < depth; i++)
        {
            var get = await channel.BasicGetAsync(queue, autoAck: false, ct);
            if (get is null) break;
            if (await visit(get)) await channel.BasicAckAsync(get.DeliveryTag, false, ct);
            else kept.Add(get.DeliveryTag);
        }
        foreach (var tag in kept) await channel.BasicNackAsync(tag, false, requeue: true, ct);
        return depth;
    }

    /// <summary>The first "runId" in a MassTransit JSON envelope's message (ExpandRound, ScoreRound.request, ...).</summary>
    internal static Guid? RunOf(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("message", out var m) ? Find(m) : null;
        }
        catch (JsonException) { return null; }

        static Guid? Find(JsonElement e)
        {
            if (e.ValueKind != JsonValueKind.Object) return null;
            foreach (var p in e.EnumerateObject())
                if (p.NameEquals("runId") && p.Value.TryGetGuid(out var g)) return g;
            foreach (var p in e.EnumerateObject())
                if (Find(p.Value) is { } g) return g;
            return null;
        }
    }

    private static string? Header(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var v) ? v switch
        {
            byte[] b => Encoding.UTF8.GetString(b),
            null => null,
            _ => v.ToString(),
        } : null;

    private ConnectionFactory Factory()
    {
        var o = options.Value;
        return new ConnectionFactory { HostName = o.Host, Port = o.Port, VirtualHost = o.VirtualHost, UserName = o.Username, Password = o.Password };
    }
}
