using Microsoft.Extensions.Configuration;
using Pipeline.GpuBench;

var config = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var options = config.GetSection("GpuBench").Get<GpuBenchOptions>() ?? new GpuBenchOptions();
return await BenchRunner.RunAsync(options, Console.Out);
