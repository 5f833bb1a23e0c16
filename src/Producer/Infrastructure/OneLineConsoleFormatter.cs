using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Pipeline.Producer.Infrastructure;

/// <summary>The CLI's log lines (libraries' warnings on stderr): one line each, an exception as its innermost
/// type and message, never a stack trace: the command itself reports what failed and what to do.
/// PIPELINE_DEBUG=1 switches back to the full console format.</summary>
public sealed class OneLineConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "pipeline-one-line";

    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopeProvider, TextWriter writer)
    {
        var message = entry.Formatter(entry.State, entry.Exception);
        if (string.IsNullOrEmpty(message) && entry.Exception is null) return;
        writer.Write($"{Level(entry.LogLevel)}: {entry.Category}: {message}");
        if (entry.Exception?.GetBaseException() is { } root)
            writer.Write($" ({root.GetType().Name}: {root.Message})");
        writer.WriteLine();
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };
}
