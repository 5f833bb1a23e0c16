using Microsoft.Extensions.Configuration;
using Pipeline.GpuBench;
using Pipeline.Inference;

var config = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var options = config.GetSection("GpuBench").Get<GpuBenchOptions>() ?? new GpuBenchOptions();
return await BenchRunner.RunAsync(options,
    () => config.GetSection(InferenceOptions.SectionName).Get<InferenceOptions>() ?? new InferenceOptions(), Console.Out);
