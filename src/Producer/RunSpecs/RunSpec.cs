using Pipeline.Contracts;
using Pipeline.Search;

namespace Pipeline.Producer.RunSpecs;

/// <summary>Which problems of the dataset a run uses; every part optional.</summary>
/// <param name="PerLevel">The first n problems (file order) of each level.</param>
/// <param name="Limit">At most this many problems in all, after the other filters.</param>
public sealed record ProblemFilter(IReadOnlyList<int>? Levels = null, int? PerLevel = null, int? Limit = null);

/// <summary>A model as the spec names it: the manifest path and the line it is on.</summary>
public sealed record ModelPath(string Path, int Line);

/// <summary>A run named in the spec (id, id prefix or name) and the line it is on.</summary>
public sealed record RunReference(string Run, int Line);

/// <summary>One strategy config at one budget, with the spec line it came from.</summary>
public sealed record PlannedStrategy(StrategyConfig Config, int Line);

/// <summary>A parsed, validated run spec (see docs/cli.md for the file format).</summary>
/// <param name="SystemPrompt">The system message of chat-template prompts (policy and revision); null: each manifest's system_prompt.</param>
/// <param name="DifficultyFrom">The run whose best-of-N samples give the difficulty bins (<c>difficulty_from</c>); null: the run's own.</param>
public sealed record RunSpec(
    string Name,
    string Dataset,
    ProblemFilter Problems,
    ModelPath Policy,
    ModelPath Prm,
    ModelPath? Revision,
    SamplingSettings Sampling,
    long Seed,
    IReadOnlyList<PlannedStrategy> Strategies,
    string SpecJson,
    string? SystemPrompt = null,
    RunReference? DifficultyFrom = null);
