namespace Pipeline.Grading;

/// <summary>Raised for input the grader cannot handle; always caught inside the grader.</summary>
internal sealed class GradingException(string message) : Exception(message);

/// <summary>Bounds the work of one comparison: a step counter (deterministic, unlike a clock) plus a wall-clock deadline as a backstop.</summary>
internal sealed class GradeBudget(int maxSteps, TimeSpan maxTime)
{
    private readonly long _deadline = Environment.TickCount64 + (long)maxTime.TotalMilliseconds;
    private int _steps;

    public void Step()
    {
        if (++_steps > maxSteps) throw new GradingException($"step budget of {maxSteps} exceeded");
        if ((_steps & 1023) == 0 && Environment.TickCount64 > _deadline) throw new GradingException("time budget exceeded");
    }
}
