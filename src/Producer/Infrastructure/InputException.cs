namespace Pipeline.Producer.Infrastructure;

/// <summary>One problem with a user's file: where it is (file, line, optional column) and which field.</summary>
public sealed record InputError(string File, int Line, string? Field, string Message, int Column = 0)
{
    public override string ToString()
    {
        var where = Column > 0 ? $"{File}:{Line}:{Column}" : Line > 0 ? $"{File}:{Line}" : File;
        return Field is null ? $"{where}: {Message}" : $"{where}: field '{Field}': {Message}";
    }
}

/// <summary>Bad input (dataset file, run spec, manifest). Carries every error found, first one first.</summary>
public sealed class InputException(IReadOnlyList<InputError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
{
    public IReadOnlyList<InputError> Errors { get; } = errors;

    public InputException(InputError error) : this([error]) { }
}

/// <summary>An error the user can fix, printed as one line without a stack trace.</summary>
public sealed class CliException(string message) : Exception(message);
