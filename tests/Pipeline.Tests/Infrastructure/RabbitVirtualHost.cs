using System.Net.Http.Json;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// Class fixture: a RabbitMQ virtual host of its own on the test broker (created through the management API,
/// deleted afterwards), so messages a test publishes never reach services or tests running beside it.
/// <see cref="Configuration"/> holds the RabbitMq:* keys (the env vars' names) that point a bus at it.
/// </summary>
public sealed class RabbitVirtualHost : IAsyncLifetime
{
    public string Name { get; } = $"test_{Guid.NewGuid():N}"[..17];
    public ServerEndpoints Servers { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Servers = await TestServers.GetAsync();
        using var http = TestServers.Management(Servers);
        (await http.PutAsync($"api/vhosts/{Name}", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"api/permissions/{Name}/{Uri.EscapeDataString(Servers.RabbitUsername)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
    }

    public IReadOnlyDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["RabbitMq:Host"] = Servers.RabbitHost,
        ["RabbitMq:Port"] = Servers.RabbitPort.ToString(),
        ["RabbitMq:ManagementPort"] = Servers.RabbitManagementPort.ToString(),
        ["RabbitMq:Username"] = Servers.RabbitUsername,
        ["RabbitMq:Password"] = Servers.RabbitPassword,
        ["RabbitMq:VirtualHost"] = Name,
    };

    public async Task DisposeAsync()
    {
        if (Servers is null) return;   // InitializeAsync failed: nothing was created
        using var http = TestServers.Management(Servers);
        await http.DeleteAsync($"api/vhosts/{Name}");
    }
}
