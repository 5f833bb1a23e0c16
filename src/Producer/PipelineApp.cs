using Microsoft.Extensions.DependencyInjection;
using Pipeline.Producer.Commands;
using Pipeline.Producer.Commands.Datasets;
using Pipeline.Producer.Commands.Db;
using Pipeline.Producer.Commands.Errors;
using Pipeline.Producer.Errors;
using Pipeline.Producer.Commands.Models;
using Pipeline.Producer.Commands.Runs;
using Pipeline.Producer.Infrastructure;
using Pipeline.Storage;
using Pipeline.Storage.Queries;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer;

/// <summary>The <c>pipeline</c> command tree. Tests build it with a TestConsole and their own services.</summary>
public static class PipelineApp
{
    public static CommandApp Create(IServiceCollection services, IAnsiConsole console)
    {
        services.AddSingleton(console);
        var app = new CommandApp(new TypeRegistrar(services));
        app.Configure(c =>
        {
            c.SetApplicationName("pipeline");
            c.ConfigureConsole(console);
            c.SetExceptionHandler((ex, _) => Report(console, ex));

            c.AddBranch("db", db =>
            {
                db.SetDescription("Database schema");
                db.AddCommand<DbMigrateCommand>("migrate").WithDescription("Create or update the pipeline schema (EF Core migrations)");
                db.AddCommand<DbQueryCommand>("query").WithDescription("Run one SQL statement and print its rows as psql -A -t does (for scripts)")
                    .WithExample("db", "query", "SELECT count(*) FROM pipeline.steps");
            });
            c.AddBranch("dataset", d =>
            {
                d.SetDescription("Problem sets");
                d.AddCommand<DatasetImportCommand>("import").WithDescription("Import a MATH/PRM800K or GSM8K JSONL file")
                    .WithExample("dataset", "import", "models/tiny-arith/eval.jsonl", "--format", "math", "--name", "tiny-arith");
                d.AddCommand<DatasetListCommand>("list").WithDescription("List imported datasets");
            });
            c.AddBranch("run", r =>
            {
                r.SetDescription("Experiment runs");
                r.AddCommand<RunSubmitCommand>("submit").WithDescription("Create a run from a spec file and publish its searches")
                    .WithExample("run", "submit", "samples/tiny-best-of-n.yaml");
                r.AddCommand<RunStatusCommand>("status").WithDescription("Progress of a run (default: the latest)");
                r.AddCommand<RunResumeCommand>("resume").WithDescription("Republish every search of a run that is not done");
                r.AddCommand<RunListCommand>("list").WithDescription("Recent runs");
                r.AddCommand<RunReportCommand>("report").WithDescription("Accuracy by level and budget, per strategy and aggregator");
                r.AddCommand<RunCompareCommand>("compare").WithDescription("FLOPs-matched comparison: a small policy with test-time compute against a larger one")
                    .WithExample("run", "compare", "tiny-small", "tiny-large", "--ratio", "0.16", "--ratio", "22");
            });
            c.AddBranch("errors", e =>
            {
                e.SetDescription("Messages the workers gave up on (_error queues)");
                e.AddCommand<ErrorsListCommand>("list").WithDescription("Messages in each _error queue, per run, with the workers' reasons");
                e.AddCommand<ErrorsRequeueCommand>("requeue").WithDescription("Move _error messages back to their queue once the cause is fixed")
                    .WithExample("errors", "requeue", "--queue", "expand-round");
            });
            c.AddBranch("model", m =>
            {
                m.SetDescription("Models: import Hugging Face checkpoints, try prompts, generation and PRM scores");
                m.AddCommand<ModelImportCommand>("import").WithDescription("Import a Hugging Face checkpoint (ONNX graph + manifest)")
                    .WithExample("model", "import", "hf/Llama-3.2-1B-Instruct", "--out", "models/imported/llama-3.2-1b-instruct");
                m.AddCommand<ModelPromptCommand>("prompt").WithDescription("The rendered policy prompt and its token ids")
                    .WithExample("model", "prompt", "models/imported/llama-3.2-1b-instruct/Llama-3.2-1B-Instruct.manifest.json", "--user", "What is 1+1?", "--json");
                m.AddCommand<ModelGenerateCommand>("generate").WithDescription("Generate one solution (greedy by default)");
                m.AddCommand<ModelScoreCommand>("score").WithDescription("PRM scores of a solution's steps");
            });
            c.AddCommand<GradeCommand>("grade").WithDescription("Grade answers against gold answers (JSONL in, JSONL out)");
        });
        return app;
    }

    /// <summary>User errors print as one line each; anything else prints its type too (PIPELINE_DEBUG=1: the stack).</summary>
    private static int Report(IAnsiConsole console, Exception ex)
    {
        switch (ex)
        {
            case InputException input:
                foreach (var e in input.Errors) console.MarkupLineInterpolated($"[red]error:[/] {e.ToString()}");
                return 2;
            case Pipeline.Inference.ModelFormatException:
                console.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
                return 2;
            case CliException or DatasetConflictException or RunNotFoundException or CommandAppException:
                console.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
                return ex is CommandAppException ? 2 : 1;
            case OperationCanceledException:
                console.MarkupLine("[yellow]cancelled[/]");
                return 130;
            default:
                console.MarkupLineInterpolated($"[red]error:[/] {ex.GetType().Name}: {ex.Message}");
                if (Environment.GetEnvironmentVariable("PIPELINE_DEBUG") == "1") console.WriteException(ex);
                return 1;
        }
    }
}
