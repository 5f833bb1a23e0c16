using Pipeline.Inference.Benchmarks;

// Usage: Pipeline.Inference.Benchmarks <torch-results.json> [models-dir] [threads] [repeats]
// (scripts/bench-engine.sh runs benchmarks/torch_reference.py first and passes its results).
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Pipeline.Inference.Benchmarks <torch-results.json> [models-dir] [threads] [repeats]");
    return 2;
}
var reference = ReferenceRun.Load(args[0]);
var models = args.Length > 1 ? args[1] : Path.Combine("models", "tiny-arith");
var threads = args.Length > 2 ? int.Parse(args[2]) : reference.Threads;
var repeats = args.Length > 3 ? int.Parse(args[3]) : 1;
new EngineBenchmark(models, reference, threads, repeats).Run(Console.Out);
return 0;
