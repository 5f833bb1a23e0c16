using Microsoft.Extensions.Configuration;
using Pipeline.GpuBench;
using Pipeline.Inference;

var config = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var options = config.GetSection("GpuBench").Get<GpuBenchOptions>() ?? new GpuBenchOptions();
var engine = config.GetSection(InferenceOptions.SectionName).Get<InferenceOptions>() ?? new InferenceOptions();
return await BenchRunner.RunAsync(options, engine, Console.Out);
