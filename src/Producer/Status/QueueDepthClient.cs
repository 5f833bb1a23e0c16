using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Pipeline.Producer.Status;

/// <summary>One queue as the management API reports it.</summary>
public sealed record QueueDepth(string Name, long Ready, long Unacknowledged, int Consumers);

/// <summary>Reads queue depths from the RabbitMQ management HTTP API (GET /api/queues/{vhost}).</summary>
public sealed class QueueDepthClient(IOptions<RabbitMqManagementOptions> options)
{
    public async Task<IReadOnlyList<QueueDepth>> GetAsync(CancellationToken ct)
    {
        var o = options.Value;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(o.TimeoutSeconds) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.Username}:{o.Password}")));
        var url = $"http://{o.Host}:{o.ManagementPort}/api/queues/{Uri.EscapeDataString(o.VirtualHost)}?columns=name,messages_ready,messages_unacknowledged,consumers";
        using var response = await http.GetAsync(url, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var doc = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        return Parse(doc.RootElement);
    }

    internal static IReadOnlyList<QueueDepth> Parse(JsonElement array)
    {
        static long Long(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
        return array.EnumerateArray()
            .Select(q => new QueueDepth(q.GetProperty("name").GetString() ?? "", Long(q, "messages_ready"),
                Long(q, "messages_unacknowledged"), (int)Long(q, "consumers")))
            .OrderBy(q => q.Name, StringComparer.Ordinal)
            .ToList();
    }
}
