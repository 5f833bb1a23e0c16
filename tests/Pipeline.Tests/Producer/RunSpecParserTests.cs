using System.Text.Json;
using Pipeline.Producer.Infrastructure;
using Pipeline.Producer.RunSpecs;
using Pipeline.Search;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Producer;

public sealed class RunSpecParserTests
{
    private const string Minimal = """
        name: t
        dataset: d
        models: { policy: p.json, prm: r.json }
        strategies:
          - { kind: best_of_n, budgets: [4] }
        """;

    private static InputError FirstError(string yaml) => Assert.Throws<InputException>(() => RunSpecParser.Parse(yaml, "spec.yaml")).Errors[0];

    [Fact]
    public void The_all_strategies_sample_expands_to_one_config_per_strategy_and_budget()
    {
        var path = Path.Combine(RepoPaths.Root, "samples", "tiny-all-strategies.yaml");
        var spec = RunSpecParser.Parse(File.ReadAllText(path), path);

        Assert.Equal(("tiny-all-strategies", "tiny-arith", 1234L), (spec.Name, spec.Dataset, spec.Seed));
        Assert.Equal([1, 2, 3, 4, 5], spec.Problems.Levels!);
        Assert.Equal(20, spec.Problems.PerLevel);
        Assert.Equal("models/tiny-arith/revision.manifest.json", spec.Revision!.Path);
        Assert.Equal((1.0, 1.0, 192, 12), (spec.Sampling.Temperature, spec.Sampling.TopP, spec.Sampling.MaxNewTokens, spec.Sampling.MaxSteps));
        Assert.Equal(
            ["best_of_n N=64", "beam(M=4) N=16", "beam(M=4) N=64", "beam(M=sqrt) N=16", "lookahead(M=4,k=1) N=16", "dvts(M=4) N=16", "revisions(L=4) N=16"],
            spec.Strategies.Select(s => s.Config.ToString()));
        Assert.All(spec.Strategies, s => Assert.Equal(1.0, s.Config.Temperature));
        // the spec is kept as JSON with YAML's plain scalars typed
        using var json = JsonDocument.Parse(spec.SpecJson);
        Assert.Equal(64, json.RootElement.GetProperty("strategies")[0].GetProperty("budgets")[0].GetInt32());
        Assert.Equal("sqrt", json.RootElement.GetProperty("strategies")[2].GetProperty("beam_width").GetString());
    }

    [Fact]
    public void Every_sample_spec_parses_and_names_manifests_that_exist_in_the_repository()
    {
        var root = RepoPaths.Root;
        var files = Directory.GetFiles(Path.Combine(root, "samples")).Where(f => f.EndsWith(".yaml") || f.EndsWith(".json")).ToList();
        Assert.True(files.Count >= 3, "samples/ should hold the documented specs");
        foreach (var file in files)
        {
            var spec = RunSpecParser.Parse(File.ReadAllText(file), file);
            Assert.NotEmpty(spec.Strategies);
            // models/imported/: Hugging Face checkpoints the spec's comment says how to import (not in the repository).
            foreach (var model in new[] { spec.Policy, spec.Prm, spec.Revision }.OfType<ModelPath>().Where(m => !m.Path.StartsWith("models/imported/", StringComparison.Ordinal)))
                Assert.True(File.Exists(Path.Combine(root, model.Path)), $"{file}: {model.Path} does not exist");
        }
    }

    [Fact]
    public void The_imported_models_sample_runs_best_of_n_and_beam_search_on_math500()
    {
        var path = Path.Combine(RepoPaths.Root, "samples", "math500-llama1b-qwenprm.yaml");
        var text = File.ReadAllText(path);
        var spec = RunSpecParser.Parse(text, path);
        Assert.Equal("math500", spec.Dataset);
        Assert.Equal(["best_of_n N=256", "beam(M=4) N=4", "beam(M=4) N=16", "beam(M=4) N=64", "beam(M=4) N=256"], spec.Strategies.Select(s => s.Config.ToString()));
        Assert.StartsWith("models/imported/", spec.Policy.Path);
        Assert.StartsWith("models/imported/", spec.Prm.Path);
        // Every command its comment gives is a real verb with options that exist.
        Assert.Contains("pipeline model import", text);
        Assert.Null(spec.SystemPrompt);
    }

    [Fact]
    public void System_prompt_is_optional_and_kept_in_the_stored_spec()
    {
        var spec = RunSpecParser.Parse("system_prompt: \"Answer in \\\\boxed{}.\"\n" + Minimal, "spec.yaml");
        Assert.Equal("Answer in \\boxed{}.", spec.SystemPrompt);
        Assert.Equal("Answer in \\boxed{}.", JsonDocument.Parse(spec.SpecJson).RootElement.GetProperty("system_prompt").GetString());
        Assert.Null(RunSpecParser.Parse(Minimal, "spec.yaml").SystemPrompt);
    }

    [Fact]
    public void A_json_spec_parses_like_yaml_and_is_stored_as_given()
    {
        var path = Path.Combine(RepoPaths.Root, "samples", "math500-best-of-n.json");
        var spec = RunSpecParser.Parse(File.ReadAllText(path), path);
        Assert.Equal(["best_of_n N=16", "beam(M=sqrt) N=16"], spec.Strategies.Select(s => s.Config.ToString()));
        Assert.Equal(4, spec.Strategies[1].Config.EffectiveBeamWidth);
        Assert.Equal(7, JsonDocument.Parse(spec.SpecJson).RootElement.GetProperty("seed").GetInt32());
    }

    [Fact]
    public void Filter_duplicates_is_off_unless_asked_and_runs_side_by_side_with_the_plain_search()
    {
        var spec = RunSpecParser.Parse(Minimal.Replace("{ kind: best_of_n, budgets: [4] }", """
            { kind: beam, beam_width: 4, budgets: [16] }
              - { kind: beam, beam_width: 4, budgets: [16], filter_duplicates: true }
              - { kind: dvts, beam_width: 4, budgets: [16], filter_duplicates: false }
            """), "spec.yaml");
        Assert.Equal(["beam(M=4) N=16", "beam(M=4,dedup) N=16", "dvts(M=4) N=16"], spec.Strategies.Select(s => s.Config.ToString()));
        Assert.Equal([false, true, false], spec.Strategies.Select(s => s.Config.FilterDuplicates));
        Assert.True(JsonDocument.Parse(spec.SpecJson).RootElement.GetProperty("strategies")[1].GetProperty("filter_duplicates").GetBoolean());
    }

    [Fact]
    public void Defaults_fill_sampling_seed_and_max_rounds()
    {
        var spec = RunSpecParser.Parse(Minimal, "spec.yaml");
        Assert.Equal(RunSpecParser.DefaultSampling, spec.Sampling);
        Assert.Equal(0, spec.Seed);
        Assert.Equal(StrategyConfig.DefaultMaxRounds, spec.Strategies[0].Config.MaxRounds);
        Assert.Null(spec.Revision);
    }

    [Theory]
    [InlineData("colour: red\n", 1, "colour", "unknown field")]
    [InlineData("sampling: { temperature: hot }\n", 1, "sampling.temperature", "expected a number >= 0, got 'hot'")]
    [InlineData("sampling: { top_p: 1.5 }\n", 1, "sampling.top_p", "expected a number in (0, 1]")]
    [InlineData("problems: { levels: [1, x] }\n", 1, "problems.levels[1]", "expected a whole number")]
    public void Top_level_errors_name_file_line_and_field(string extra, int line, string field, string message)
    {
        var error = FirstError(extra + Minimal);
        Assert.Equal(("spec.yaml", line, field), (error.File, error.Line, error.Field));
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("{ kind: beam, budgets: [16] }", "strategies[0].beam_width", "missing")]
    [InlineData("{ kind: beam, beam_width: 3, budgets: [16] }", "strategies[0]", "N must be divisible by the beam width M")]
    [InlineData("{ kind: tree, budgets: [16] }", "strategies[0].kind", "unknown strategy 'tree'")]
    [InlineData("{ kind: best_of_n, budgets: [0] }", "strategies[0].budgets[0]", "expected a whole number >= 1")]
    [InlineData("{ kind: best_of_n }", "strategies[0].budgets", "missing")]
    [InlineData("{ kind: revisions, chain_length: 4, budgets: [16] }", "strategies[0].kind", "needs models.revision")]
    [InlineData("{ kind: best_of_n, budgets: [4], beam: 2 }", "strategies[0].beam", "unknown field")]
    [InlineData("{ kind: beam, beam_width: 4, budgets: [16], filter_duplicates: yes }", "strategies[0].filter_duplicates", "expected true or false, got 'yes'")]
    [InlineData("{ kind: best_of_n, budgets: [16], filter_duplicates: true }", "strategies[0]", "filter_duplicates is only meaningful for beam, lookahead and dvts")]
    public void Strategy_errors_point_at_the_strategy_entry(string strategy, string field, string message)
    {
        var yaml = Minimal.Replace("{ kind: best_of_n, budgets: [4] }", strategy);
        var error = FirstError(yaml);
        Assert.Equal(("spec.yaml", 5, field), (error.File, error.Line, error.Field));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_config_listed_twice_is_refused()
    {
        var error = FirstError(Minimal + "\n  - { kind: best_of_n, budget: 4 }\n");
        Assert.Equal(6, error.Line);
        Assert.Contains("already listed on line 5", error.Message);
    }

    [Fact]
    public void Missing_required_fields_are_all_reported()
    {
        var errors = Assert.Throws<InputException>(() => RunSpecParser.Parse("name: x\n", "spec.yaml")).Errors;
        Assert.Equal(["dataset", "models", "strategies"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Broken_yaml_gives_line_and_column()
    {
        var error = FirstError("name: [unclosed\n");
        Assert.Equal("spec.yaml", error.File);
        Assert.True(error.Line >= 1);
        Assert.Contains("not valid YAML/JSON", error.Message);
        Assert.DoesNotContain("(Line:", error.Message);   // the position is the error's own, not repeated in its text
    }

    [Fact]
    public void Yaml_the_parser_chokes_on_is_still_an_input_error_naming_the_file()
    {
        // YamlDotNet throws InvalidOperationException (no position) for an unclosed flow sequence before a mapping
        var error = FirstError("name: a\ndataset: [b\nmodels: {\n");
        Assert.Equal("spec.yaml", error.File);
        Assert.Contains("not valid YAML/JSON", error.Message);
    }

    [Fact]
    public void Difficulty_from_names_a_run_and_keeps_its_line_for_errors()
    {
        var spec = RunSpecParser.Parse(Minimal + "\ndifficulty_from: difficulty-k64\n", "spec.yaml");
        Assert.Equal(new RunReference("difficulty-k64", 6), spec.DifficultyFrom);
        Assert.Null(RunSpecParser.Parse(Minimal, "spec.yaml").DifficultyFrom);
        Assert.Equal("difficulty_from", FirstError(Minimal + "\ndifficulty_from: [a]\n").Field);
    }
}
