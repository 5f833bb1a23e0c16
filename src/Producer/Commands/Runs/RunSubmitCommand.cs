using System.ComponentModel;
using Pipeline.Contracts;
using Pipeline.Producer.Infrastructure;
using Pipeline.Producer.Publishing;
using Pipeline.Producer.RunSpecs;
using Pipeline.Producer.Status;
using Pipeline.Storage;
using Pipeline.Storage.Entities;
using Pipeline.Storage.Queries;
using Pipeline.Storage.Searches;
using Pipeline.Storage.Workers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Runs;

/// <summary><c>pipeline run submit SPEC</c>: validates the spec (and the files its manifests name), connects to
/// the broker, creates the run and one search per problem x strategy config x budget in one transaction, then
/// publishes one SearchRequested per search. Nothing is written when the broker cannot be reached.
/// The run id is the last line of output (and the only one with --quiet), for scripts.</summary>
public sealed class RunSubmitCommand(IAnsiConsole console, DatabaseConnector connector, ISearchPublisher publisher, TimeProvider clock)
    : AsyncCommand<RunSubmitCommand.Settings>
{
    public sealed class Settings : DatabaseSettings
    {
        [CommandArgument(0, "<SPEC>")]
        [Description("Run spec, YAML or JSON (see docs/cli.md and samples/)")]
        public string Spec { get; init; } = "";

        [CommandOption("--dry-run")]
        [Description("Validate and show the plan; write and publish nothing")]
        public bool DryRun { get; init; }

        [CommandOption("-q|--quiet")]
        [Description("Print only the run id (a warning goes to stderr)")]
        public bool Quiet { get; init; }

        [CommandOption("--require-workers")]
        [Description("Refuse (write nothing) when no alive worker serves one of the run's models, instead of warning")]
        public bool RequireWorkers { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var loaded = RunSpecLoader.Load(settings.Spec);
        var spec = loaded.Spec;
        var db = connector.Get(settings.Connection);

        var dataset = await DatasetQueries.FindAsync(db, spec.Dataset, ct);
        if (dataset is null)
        {
            var known = (await DatasetQueries.ListAsync(db, ct)).Select(d => d.Name).ToList();
            throw new InputException(new InputError(settings.Spec, 0, "dataset",
                $"no dataset named '{spec.Dataset}' (imported: {(known.Count == 0 ? "none" : string.Join(", ", known))}); import it with 'pipeline dataset import FILE --format math|gsm8k --name {spec.Dataset}'"));
        }
        var filter = spec.Problems;
        var problems = await DatasetQueries.SelectAsync(db, dataset.DatasetId, filter.Levels, filter.PerLevel, filter.Limit, ct);
        if (problems.Count == 0)
            throw new InputException(new InputError(settings.Spec, 0, "problems",
                $"the filter selects no problems of dataset '{dataset.Name}' ({dataset.ProblemCount} problems{(dataset.Format == "gsm8k" ? ", which have no levels" : "")})"));

        var difficultyRunId = spec.DifficultyFrom is { } from
            ? await ResolveDifficultyRunAsync(db, settings.Spec, from, dataset.DatasetId, loaded.Policy.Name, ct) : (Guid?)null;

        var runId = Guid.NewGuid();
        var searches = SearchPlanner.Plan(runId, problems, spec.Strategies);
        if (!settings.Quiet) PrintPlan(spec, dataset, problems.Count, searches.Count);
        await CheckWorkersAsync(db, loaded, settings, ct);
        if (settings.DryRun)
        {
            console.MarkupLine("[yellow]dry run:[/] nothing written or published");
            return 0;
        }

        await publisher.ConnectAsync(ct);
        var run = new Run
        {
            RunId = runId,
            Name = spec.Name,
            DatasetId = dataset.DatasetId,
            SpecJson = spec.SpecJson,
            PolicyModel = loaded.Policy.Name,
            PrmModel = loaded.Prm.Name,
            RevisionModel = loaded.Revision?.Name,
            PolicyModelPath = spec.Policy.Path,
            PrmModelPath = spec.Prm.Path,
            RevisionModelPath = spec.Revision?.Path,
            PolicyParameters = loaded.Policy.ParameterCount,
            PrmParameters = loaded.Prm.ParameterCount,
            RevisionParameters = loaded.Revision?.ParameterCount,
            PolicyPretrainingTokens = loaded.Policy.PretrainingTokens,
            DifficultyRunId = difficultyRunId,
            Temperature = (float)spec.Sampling.Temperature,
            TopP = (float)spec.Sampling.TopP,
            MaxNewTokens = spec.Sampling.MaxNewTokens,
            MaxSteps = spec.Sampling.MaxSteps,
            Seed = spec.Seed,
            Status = RunStatus.Submitted,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        var created = await RunCreation.CreateAsync(db, run, searches, ct);

        try
        {
            await publisher.PublishAsync(created.Select(s => new SearchRequested(runId, s.SearchId)).ToList(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new CliException(
                $"run {runId} was created, but publishing its searches failed ({e.GetType().Name}: {e.Message}); " +
                $"once RabbitMQ is reachable, publish them with 'pipeline run resume {runId}'");
        }

        if (!settings.Quiet) console.MarkupLineInterpolated($"published [green]{created.Count}[/] searches of run [blue]{spec.Name}[/]");
        console.WriteLine(runId.ToString());
        return 0;
    }

    /// <summary>Warns in one line (or, with --require-workers, refuses) when no alive worker serves a model the run
    /// names: its rounds would wait in the queues, unseen, until one starts. Workers announce themselves by heartbeat
    /// (table <c>workers</c>, written by the Aggregator), so a down Aggregator also shows here.</summary>
    private async Task CheckWorkersAsync(Npgsql.NpgsqlDataSource db, LoadedRunSpec loaded, Settings settings, CancellationToken ct)
    {
        var models = WorkerCoverage.Models(loaded.Policy.Name, loaded.Prm.Name, loaded.Revision?.Name);
        string problem;
        IReadOnlyList<(string Role, IReadOnlyList<string> Workers)> faulting = [];
        try
        {
            var workers = await WorkerStore.ServingAsync(db, models.Select(m => m.Name).Distinct().ToList(), ct);
            var unserved = WorkerCoverage.Unserved(models, workers);
            if (unserved.Count == 0) return;
            problem = $"no alive worker serves {WorkerCoverage.Describe(unserved, workers)}";
            faulting = WorkerCoverage.Faulting(unserved, await WorkerStore.AliveAsync(db, ct));
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
        {
            problem = "cannot tell which workers are alive: the database has no table pipeline.workers (run 'pipeline db migrate')";
        }
        if (settings.RequireWorkers)
            throw new CliException($"{problem}; nothing was written (--require-workers)");
        var line = faulting.Count > 0
            ? $"{problem}; the alive {string.Join(" and ", faulting.Select(f => $"{f.Role} workers ({string.Join(", ", f.Workers)})"))} serve other models only " +
              "and share the queue, so they will send its rounds to the _error queue, where its searches fail after the Aggregator's ErrorGraceSeconds: " +
              "start a worker serving it and stop those, then 'pipeline errors requeue --run RUN'" +
              (settings.DryRun ? "" : " (--require-workers refuses instead)")
            : settings.DryRun
                ? $"{problem}; a run submitted now would wait in the queues until a worker serving it starts"
                : $"{problem}; submitting anyway: its rounds wait in the queues until a worker serving it starts (--require-workers refuses instead)";
        if (settings.Quiet) await Console.Error.WriteLineAsync("warning: " + line);
        else console.MarkupLineInterpolated($"[yellow]warning:[/] {line}");
    }

    /// <summary>The run <c>difficulty_from</c> names: it must exist, be on the same dataset with the same policy (its
    /// samples stand for this policy's pass@1) and have a best-of-N strategy to take them from.</summary>
    private static async Task<Guid> ResolveDifficultyRunAsync(
        Npgsql.NpgsqlDataSource db, string specFile, RunReference from, int datasetId, string policyModel, CancellationToken ct)
    {
        Guid id;
        try { id = await RunQueries.ResolveAsync(db, from.Run, ct); }
        catch (RunNotFoundException e) { throw new InputException(new InputError(specFile, from.Line, "difficulty_from", e.Message)); }
        var source = await AnalysisQueries.DifficultySourceAsync(db, id, ct);
        var problem = source.DatasetId != datasetId ? $"run {source.Name} ({id}) is on another dataset"
            : source.PolicyModel != policyModel ? $"run {source.Name} ({id}) sampled policy '{source.PolicyModel}', not this spec's '{policyModel}'"
            : source.BestOfNSearches == 0 ? $"run {source.Name} ({id}) has no best_of_n strategy to take difficulty from"
            : null;
        return problem is null ? id : throw new InputException(new InputError(specFile, from.Line, "difficulty_from", problem));
    }

    private void PrintPlan(RunSpec spec, Storage.Queries.DatasetInfo dataset, int problems, int searches)
    {
        var table = new Table().AddColumns("strategy", "budget N", "searches");
        foreach (var s in spec.Strategies)
            table.AddRow(Markup.Escape(s.Config.Label), s.Config.Budget.ToString(), problems.ToString());
        console.MarkupLineInterpolated($"run [blue]{spec.Name}[/]: dataset {dataset.Name}, {problems} problems x {spec.Strategies.Count} strategy config(s) = {searches} searches");
        console.Write(table);
    }
}
