using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Inference;
using Pipeline.ProposalWorker;
using Pipeline.VerifierWorker;

namespace Pipeline.Tests.Messaging;

/// <summary>Inference:Policy:* and Inference:Prm:* override Inference:* for one model, so one process serving both
/// (the combined worker) can give the 7B PRM and the 1B policy different memory limits and batch sizes.</summary>
public sealed class InferenceRoleOptionsTests
{
    [Fact]
    public void Each_role_reads_the_common_settings_and_its_own_overrides()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Inference:Device"] = "cuda",
            ["Inference:CudaMemoryLimitGiB"] = "40",
            ["Inference:MaxBatchSize"] = "128",
            ["Inference:Prm:CudaMemoryLimitGiB"] = "80",
            ["Inference:Prm:MaxPrefillTokens"] = "32768",
            ["Inference:Prm:PrmPrefixCacheGiB"] = "30",
            ["Inference:Policy:CudaGraphs"] = "false",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(config);
        services.AddProposalOptions();
        services.AddVerifierOptions();
        using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<InferenceOptions>>();

        var policy = monitor.Get(InferenceOptions.PolicyRole);
        var prm = monitor.Get(InferenceOptions.PrmRole);
        var common = provider.GetRequiredService<IOptions<InferenceOptions>>().Value;

        Assert.Equal((40.0, 128, false, "cuda"), (policy.CudaMemoryLimitGiB, policy.MaxBatchSize, policy.CudaGraphs, policy.Device));
        Assert.Equal((80.0, 128, true, 32768), (prm.CudaMemoryLimitGiB, prm.MaxBatchSize, prm.CudaGraphs, prm.MaxPrefillTokens));
        Assert.Equal((30.0, null), (prm.PrmPrefixCacheGiB, policy.PrmPrefixCacheGiB));   // unset: the device's default
        Assert.Equal((40.0, true, new InferenceOptions().MaxPrefillTokens), (common.CudaMemoryLimitGiB, common.CudaGraphs, common.MaxPrefillTokens));
    }
}
