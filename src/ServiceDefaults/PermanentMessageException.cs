namespace Pipeline.ServiceDefaults;

/// <summary>
/// A message that can never succeed (malformed, or for a model this worker does not serve). Retry
/// policies ignore it, so the message goes straight to its queue's <c>_error</c> queue and the rest
/// of the run goes on.
/// </summary>
public sealed class PermanentMessageException(string message) : Exception(message);
