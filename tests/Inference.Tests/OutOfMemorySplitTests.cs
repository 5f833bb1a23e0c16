namespace Pipeline.Inference.Tests;

/// <summary>A batch the device cannot hold is run in halves, in order; other errors are not retried.</summary>
public class OutOfMemorySplitTests
{
    private const string ArenaMessage = "[ErrorCode:Fail] Non-zero status code returned while running Attention node. Status Message: "
        + "bfc_arena.cc:360 void* onnxruntime::BFCArena::AllocateRawInternal(size_t, bool, onnxruntime::Stream*) Available memory of "
        + "617327360 is smaller than requested bytes of 1053093888";

    [Fact]
    public async Task A_batch_too_big_for_the_device_runs_in_halves_and_keeps_the_order()
    {
        var calls = new List<int>();
        var splits = new List<int>();
        var items = Enumerable.Range(0, 11).ToList();
        var got = await OutOfMemorySplit.RunAsync<int, string>(items, batch =>
        {
            calls.Add(batch.Count);
            if (batch.Count > 3) throw new InvalidOperationException(ArenaMessage);
            return Task.FromResult<IReadOnlyList<string>>([.. batch.Select(i => $"r{i}")]);
        }, (n, _) => splits.Add(n));

        Assert.Equal(items.Select(i => $"r{i}"), got);
        Assert.Equal([11, 5, 2, 3, 6, 3, 3], calls);
        Assert.Equal([11, 5, 6], splits);
    }

    [Fact]
    public async Task Other_errors_and_a_single_item_out_of_memory_propagate()
    {
        var calls = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => OutOfMemorySplit.RunAsync<int, int>([1, 2, 3, 4], _ =>
        {
            calls++;
            throw new InvalidOperationException("shape mismatch");
        }));
        Assert.Equal(1, calls);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => OutOfMemorySplit.RunAsync<int, int>([1, 2], _ =>
            throw new InvalidOperationException("wrap", new Exception("CUDA failure 2: out of memory"))));
        Assert.Equal("wrap", e.Message);
    }

    [Theory]
    [InlineData(ArenaMessage, true)]
    [InlineData("Failed to allocate memory for requested buffer of size 4194304", true)]
    [InlineData("CUBLAS failure 3: CUBLAS_STATUS_ALLOC_FAILED", true)]
    [InlineData("Got invalid dimensions for input: input_ids", false)]
    public void Out_of_memory_is_told_by_its_message(string message, bool expected) =>
        Assert.Equal(expected, OutOfMemorySplit.IsOutOfMemory(new Exception(message)));
}
