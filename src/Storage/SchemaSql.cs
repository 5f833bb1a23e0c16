using System.Reflection;

namespace Pipeline.Storage;

/// <summary>
/// The SQL of the analyst views, one file per view under <c>src/Storage/Views/</c>, of the analysis functions
/// (<c>src/Storage/Functions/</c>), and of the analyst role
/// (<c>src/Storage/Sql/analyst_role.sql</c>), embedded in this assembly. Migrations read them from here, so a
/// view's definition lives in exactly one place. A migration that changes a view drops it (and the views
/// built on it) and runs <see cref="View"/> again; docs/schema.md has the rule.
/// </summary>
public static class SchemaSql
{
    /// <summary>The views migration <c>Initial</c> creates, in an order where each comes after the views it reads.</summary>
    public static readonly IReadOnlyList<string> InitialViews =
    [
        "outcomes_per_problem",
        "accuracy_by_budget",
        "accuracy_overall",
        "run_progress",
        "compute_optimal_by_level",
        "problem_difficulty",
        "accuracy_by_difficulty",
        "compute_optimal_cv",
        "efficiency_vs_best_of_n",
        "accuracy_by_revision_ratio",
        "revision_ratio_optimal",
    ];

    /// <summary>The views on table <c>workers</c> (which <c>Initial</c> does not have). Migration <c>Workers</c> created
    /// them first; they read the columns <c>WorkerBusy</c> added since, so <c>WorkerBusy</c> now (re)creates them and
    /// <c>Workers</c> no longer does (its files are read as they are now: a fresh database would lack the columns there).</summary>
    public static readonly IReadOnlyList<string> WorkerViews = ["worker_status", "workers_alive"];

    /// <summary>Every view, in creation order: each migration's list, oldest migration first.</summary>
    public static readonly IReadOnlyList<string> Views = [.. InitialViews, .. WorkerViews];

    /// <summary>The analysis functions (<c>src/Storage/Functions/</c>), in creation order, each with its argument
    /// types for DROP FUNCTION. They are created before the views, which call them.</summary>
    public static readonly IReadOnlyList<(string Name, string Arguments)> Functions =
    [
        ("check_budget_curve", "double precision[], double precision[]"),
        ("log_budget_interpolate", "double precision[], double precision[], double precision"),
        ("accuracy_at_budget", "double precision[], double precision[], double precision"),
        ("flops_matched_multiplier", "double precision, double precision, double precision"),
        ("flops_matched_comparison", "uuid, uuid, double precision[]"),
    ];

    /// <summary>The CREATE FUNCTION statement of <paramref name="name"/> with its COMMENT.</summary>
    public static string Function(string name) => Resource($"functions/{name}.sql");

    /// <summary>The CREATE VIEW statement of <paramref name="name"/> with its COMMENTs.</summary>
    public static string View(string name) => Resource($"views/{name}.sql");

    /// <summary>Creates role pipeline_analyst when allowed and grants it read access to the schema.</summary>
    public static string AnalystRole => Resource("sql/analyst_role.sql");

    private static string Resource(string name)
    {
        using var stream = typeof(SchemaSql).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded SQL '{name}' is missing from {typeof(SchemaSql).Assembly.GetName().Name} (see its .csproj)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
