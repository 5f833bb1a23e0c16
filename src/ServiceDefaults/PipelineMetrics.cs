using System.Diagnostics.Metrics;

namespace Pipeline.ServiceDefaults;

/// <summary>
/// The pipeline's own counters on the "Pipeline" meter (any OpenTelemetry/dotnet-counters listener sees them),
/// with running totals kept here too so the heartbeat log can print them without a metrics backend.
/// </summary>
public sealed class PipelineMetrics : IDisposable
{
    public const string MeterName = "Pipeline";

    private readonly Meter _meter;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _sequences;
    private readonly Counter<long> _tokens;
    private long _messageTotal;
    private long _sequenceTotal;
    private long _tokenTotal;

    public PipelineMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _messages = _meter.CreateCounter<long>("pipeline.messages", description: "Round messages handled");
        _sequences = _meter.CreateCounter<long>("pipeline.sequences", description: "Candidates generated, scored or stored");
        _tokens = _meter.CreateCounter<long>("pipeline.tokens", description: "Tokens generated or scored");
    }

    public long Messages => Interlocked.Read(ref _messageTotal);
    public long Sequences => Interlocked.Read(ref _sequenceTotal);
    public long Tokens => Interlocked.Read(ref _tokenTotal);

    public void Record(long messages, long sequences, long tokens)
    {
        _messages.Add(messages);
        _sequences.Add(sequences);
        _tokens.Add(tokens);
        Interlocked.Add(ref _messageTotal, messages);
        Interlocked.Add(ref _sequenceTotal, sequences);
        Interlocked.Add(ref _tokenTotal, tokens);
    }

    public void Dispose() => _meter.Dispose();
}
