namespace Pipeline.Inference.Templates;

/// <summary>A runtime error raised deep in value operations, before the failing node's position is known; the
/// evaluator turns it into a <see cref="ChatTemplateException"/> at the innermost node.</summary>
internal sealed class TemplateRuntimeError(string message) : Exception(message);
