namespace Pipeline.Inference;

/// <summary>A model file (manifest, ONNX graph or tokenizer file) is missing or malformed.
/// The message always names the file, and the line and field where they are known.</summary>
public sealed class ModelFormatException : Exception
{
    public ModelFormatException(string file, string message, Exception? inner = null)
        : base($"{file}: {message}", inner) => FilePath = file;

    public string FilePath { get; }
}
