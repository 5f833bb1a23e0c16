namespace Pipeline.Inference;

/// <summary>
/// How many times a CUDA-graph run (one graph id) has run to the end, counted per thread, because that is how ONNX
/// Runtime counts: its CUDA provider warms a graph id up and captures it per OS thread (PerThreadContext), so the same
/// decode step, run for the first time on another thread, is warmed up and captured again there. While
/// <see cref="MayCapture"/> is true, a run must hold <see cref="CudaCaptureGate"/> exclusively. Counting runs per
/// step instead of per (step, thread) let captures on a new thread run ungated beside another model's work.
/// Not thread-safe: its decode step is used under the model's decoder lock.
/// </summary>
internal sealed class CaptureRunCounter(int captureRuns)
{
    private readonly Dictionary<int, int> _runs = [];

    /// <summary>True until <paramref name="thread"/> has run this step <c>captureRuns</c> times.</summary>
    public bool MayCapture(int thread) => !_runs.TryGetValue(thread, out var n) || n < captureRuns;

    public void Ran(int thread) => _runs[thread] = _runs.GetValueOrDefault(thread) + 1;
}
