namespace Pipeline.Producer.Status;

/// <summary>RabbitMQ management HTTP API, bound from the "RabbitMq" section like the AMQP settings
/// (env RabbitMq__Host, RabbitMq__ManagementPort, RabbitMq__Username, RabbitMq__Password, RabbitMq__VirtualHost).</summary>
public sealed class RabbitMqManagementOptions
{
    public const string Section = "RabbitMq";

    public string Host { get; set; } = "127.0.0.1";
    public int ManagementPort { get; set; } = 15672;
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";
    public string VirtualHost { get; set; } = "/";
    public double TimeoutSeconds { get; set; } = 5;
}
