using Pipeline.Inference.Tests.Prm;

namespace Pipeline.Inference.Tests;

/// <summary>The startup check of one process's GPU memory settings against its device, with the H200 run that failed
/// midway (docs/gpu.md, third session: a 35 GiB policy arena and a 90 GiB PRM arena on a 139.8 GiB device).</summary>
public class GpuMemoryPlanTests
{
    // The fixtures' manifests with the published shapes: Llama-3.2-1B (16 layers, 8 KV heads of 64) and
    // Qwen2.5-Math-PRM-7B (28 layers, 4 KV heads of 128), float16.
    private static ModelManifest Llama1B => ModelManifest.Load(TestPaths.Fixture(Path.Combine("qwen2-tiny", "policy-shared.manifest.json")))
        with { NumLayers = 16, NumKvHeads = 8, HeadSize = 64, Dtype = "float16", MaxPositions = 131072 };

    private static ModelManifest Prm7B => ModelManifest.Load(ImportedFixtures.Manifest("qwen-prm", "shared"))
        with { NumLayers = 28, NumKvHeads = 4, HeadSize = 128, Dtype = "float16", MaxPositions = 4096 };

    private static InferenceOptions Policy(double gib) => new() { CudaMemoryLimitGiB = gib, MaxBatchSize = 256, KvCacheLength = 2048 };
    private static InferenceOptions Prm(double gib) => new() { CudaMemoryLimitGiB = gib, MaxPrefillTokens = 65536 };

    [Fact]
    public void Buffers_outside_the_arenas_follow_the_settings()
    {
        Assert.True(Llama1B.SharedKvCache && Prm7B.PrmPrefixCache);
        Assert.Equal(16.0, GpuMemoryPlan.OutsideArenaGiB(Llama1B, Policy(35)), 3);   // 256 rows x 2,048 positions x 32 KiB
        Assert.Equal(7.0, GpuMemoryPlan.OutsideArenaGiB(Prm7B, Prm(90)), 3);         // 2 x 65,536 positions x 56 KiB
        Assert.Equal(0, GpuMemoryPlan.OutsideArenaGiB(Llama1B, new InferenceOptions()));   // nothing reserved up front
    }

    [Fact]
    public void The_run_that_failed_midway_is_reported_and_a_fitting_one_is_not()
    {
        var failed = GpuMemoryPlan.OverCommit([("Policy", Llama1B, Policy(35)), ("Prm", Prm7B, Prm(90))], 139.8);
        Assert.NotNull(failed);
        Assert.Contains("= 150.0 GiB", failed);
        Assert.Contains("Inference__Prm__CudaMemoryLimitGiB", failed);

        Assert.Null(GpuMemoryPlan.OverCommit([("Policy", Llama1B, Policy(20)), ("Prm", Prm7B, Prm(80))], 139.8));
    }

    [Fact]
    public void An_arena_without_a_limit_beside_another_model_is_reported_alone_it_is_not()
    {
        var warning = GpuMemoryPlan.OverCommit([("Policy", Llama1B, Policy(0)), ("Prm", Prm7B, Prm(90))], 139.8);
        Assert.NotNull(warning);
        Assert.Contains("Inference__Policy__CudaMemoryLimitGiB is not set", warning);
        Assert.DoesNotContain("over-committed", warning);   // nothing to add up
        Assert.Null(GpuMemoryPlan.OverCommit([("Prm", Prm7B, Prm(0))], 139.8));
    }

    [Fact]
    public void Kept_caches_are_counted_inside_their_arenas()
    {
        Assert.Equal(8, GpuMemoryPlan.KeptCacheGiB(Prm7B, Prm(80)));   // the CUDA default
        Assert.Equal(0, GpuMemoryPlan.KeptCacheGiB(Llama1B, Policy(20)));

        // m8 (fourth GPU session): a 30 GiB PRM cache in an 80 GiB arena fits the rule; the policy's 16 GiB prompt cache
        // in an arena with no limit does not
        var prm = Prm(80);
        prm.PrmPrefixCacheGiB = 30;
        var policy = Policy(0);
        policy.PolicyPrefixCacheGiB = 16;
        var m8 = GpuMemoryPlan.OverCommit([("Policy", Llama1B, policy), ("Prm", Prm7B, prm)], 139.8);
        Assert.NotNull(m8);
        Assert.Contains("Inference__Policy__PolicyPrefixCacheGiB 16.0 GiB of kept prefixes in an arena with no limit", m8);
        Assert.DoesNotContain("Prm:", m8);

        prm.PrmPrefixCacheGiB = 50;   // more than half of its arena
        var big = GpuMemoryPlan.OverCommit([("Policy", Llama1B, Policy(20)), ("Prm", Prm7B, prm)], 139.8);
        Assert.NotNull(big);
        Assert.Contains("Inference__Prm__PrmPrefixCacheGiB 50.0 GiB of kept prefixes is more than 50", big);
        prm.PrmPrefixCacheGiB = 12;
        Assert.Null(GpuMemoryPlan.OverCommit([("Policy", Llama1B, Policy(20)), ("Prm", Prm7B, prm)], 139.8));
    }
}
