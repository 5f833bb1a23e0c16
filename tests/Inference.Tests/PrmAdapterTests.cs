using System.Text.Json;
using Pipeline.Inference.Templates;

namespace Pipeline.Inference.Tests;

/// <summary>The input recipes of imported PRMs and the chat prompts of imported policies, directly (no CLI): each
/// must build the token ids transformers built in tests/Fixtures/hf/*/reference.json, and read its scores
/// where the model card's code reads them. Models come from import_hf.py (HfImportTests.Imports).</summary>
public sealed class PrmAdapterTests(HfImportTests.Imports imports) : IClassFixture<HfImportTests.Imports>
{
    [Theory]
    [InlineData("qwen-prm")]
    [InlineData("math-shepherd")]
    [InlineData("skywork-prm")]
    [InlineData("rlhflow-prm")]
    public void Each_recipe_builds_the_model_cards_token_ids_and_score_positions(string family)
    {
        var reference = Reference(family);
        var manifest = ModelManifest.Load(imports.Manifest(family));
        // The Qwen2.5-Math-PRM card scores with its own system message (`pipeline model import` sets it for qwen-prm).
        if (family == "qwen-prm") manifest = manifest with { SystemPrompt = reference.GetProperty("system_prompt").GetString() };
        using var tokenizer = LanguageModel.LoadTokenizer(manifest);
        Assert.True(tokenizer.IsHuggingFace);
        foreach (var row in reference.GetProperty("prm").EnumerateArray())
        {
            var steps = row.GetProperty("steps").EnumerateArray().Select(s => s.GetString()!).ToList();
            var built = PrmAdapters.Build(manifest, tokenizer, row.GetProperty("problem").GetString()!, steps);
            Assert.Equal(Ints(row.GetProperty("input_ids")), built.Ids);
            Assert.Equal(steps.Count, built.Markers.Length);
            Assert.Equal(built.Markers.Order(), built.Markers);
            var expectedAt = family switch
            {
                "qwen-prm" => built.Markers.Select(m => built.Ids[m] == tokenizer.Vocabulary["<extra_0>"]),
                "math-shepherd" => built.Markers.Select(m => built.Ids[m] == reference.GetProperty("step_tag_id").GetInt32()),
                "skywork-prm" => built.Markers.Select(m => built.Ids[m] == tokenizer.EncodeWithSpecialTokens("\n")[^1]),
                // logits[:, -3] of the conversation ending with step k: the token before assistant "+" and <|eot_id|>.
                _ => built.Markers.Select(m => built.Ids[m + 1] == Ints(row.GetProperty("label_token_ids"))[0] && built.Ids[m + 2] == tokenizer.Vocabulary["<|eot_id|>"]),
            };
            Assert.All(expectedAt, Assert.True);
        }
    }

    [Fact]
    public void A_step_holding_the_marker_itself_is_refused_rather_than_misread()
    {
        var manifest = ModelManifest.Load(imports.Manifest("qwen-prm"));
        using var tokenizer = LanguageModel.LoadTokenizer(manifest);
        var e = Assert.Throws<ArgumentException>(() => PrmAdapters.Build(manifest, tokenizer, "1+1?", ["1+1 = 2<extra_0>", "So 2."]));
        Assert.Contains("3 '<extra_0>' tokens (prm.separator_token", e.Message);
    }

    [Theory]
    [InlineData("math-shepherd")]
    [InlineData("rlhflow-prm")]
    public void Label_token_ids_follow_the_model_cards(string family)
    {
        var manifest = ModelManifest.Load(imports.Manifest(family));
        using var tokenizer = LanguageModel.LoadTokenizer(manifest);
        var expected = family == "math-shepherd"
            ? Ints(Reference(family).GetProperty("label_token_ids"))
            : Ints(Reference(family).GetProperty("prm")[0].GetProperty("label_token_ids"));
        Assert.Equal(expected, PrmLabelTokens.For(manifest.Prm!.Format!, tokenizer));
        Assert.Null(PrmLabelTokens.For("skywork", tokenizer));
    }

    [Theory]
    [InlineData("llama-policy")]
    [InlineData("qwen2-policy")]
    public void Policy_prompts_are_the_rendered_template_tokenized_without_special_tokens(string family)
    {
        var reference = Reference(family);
        var manifest = ModelManifest.Load(imports.Manifest(family, "concat"));
        using var tokenizer = LanguageModel.LoadTokenizer(manifest);
        var system = reference.GetProperty("system_prompt").GetString()!;
        Assert.Equal(system, manifest.SystemPrompt);
        foreach (var row in reference.GetProperty("prompts").EnumerateArray())
        {
            var problem = row.GetProperty("problem").GetString()!;
            var rendered = row.GetProperty("rendered").GetString()!;
            // The manifest's system prompt by default, a run spec's when it gives one.
            Assert.Equal(rendered, PromptBuilder.Policy(manifest, problem, []));
            Assert.Equal(rendered, PromptBuilder.Policy(manifest, problem, [], systemPrompt: system));
            Assert.NotEqual(rendered, PromptBuilder.Policy(manifest, problem, [], systemPrompt: "Be brief."));
            Assert.Equal(Ints(row.GetProperty("prompt_ids")), tokenizer.Encode(rendered));
            Assert.Equal(rendered + "Step 1.\n\nStep 2.\n\n", PromptBuilder.Policy(manifest, problem, ["Step 1.", "Step 2."]));
            // Raw prompts: as tokenizer(text) by default (Llama 3's post-processor adds BOS, Qwen2's adds nothing).
            Assert.Equal(Ints(row.GetProperty("raw_ids")), tokenizer.EncodeWithSpecialTokens(problem));
        }
    }

    [Fact]
    public void Empty_system_prompts_leave_the_system_message_out()
    {
        var manifest = ModelManifest.Load(imports.Manifest("qwen2-policy", "concat")) with { SystemPrompt = "" };
        Assert.Equal([new ChatMessage("user", "p")], ChatPrompts.PolicyMessages(manifest, "p", null));
        Assert.Equal([new ChatMessage("system", "s"), new ChatMessage("user", "p")], ChatPrompts.PolicyMessages(manifest, "p", "s"));
        // Qwen2.5-Math's template then writes its own default system message, as transformers does.
        Assert.StartsWith("<|im_start|>system\nPlease reason step by step", ChatPrompts.Policy(manifest, "p", null));
    }

    [Fact]
    public void Generation_stops_at_any_stop_token_not_only_eos()
    {
        var request = new GenerationRequest("p", Mode: StopMode.Solution, MaxNewTokens: 10, MaxSteps: 100);
        var tracker = new SampleTracker(request, "\n\n", new HashSet<int> { 901, 908, 909 }, 100);
        Assert.False(tracker.Append(5, "a"));
        Assert.True(tracker.Append(908, ""));
        Assert.Equal(FinishReasons.Eos, tracker.FinishReason);
    }

    [Fact]
    public void Raw_generation_runs_the_given_ids_and_stops_at_eot()
    {
        using var model = LanguageModel.Load(imports.Manifest("llama-policy", "concat"), new InferenceOptions { Device = "cpu", IntraOpThreads = 2 });
        Assert.Equal(new HashSet<int> { 901, 908, 909 }, model.StopIds.ToHashSet());
        var row = Reference("llama-policy").GetProperty("prompts")[0];
        var expected = Ints(row.GetProperty("raw_greedy_ids"));
        var stop = Array.FindIndex(expected, model.StopIds.Contains);
        Assert.True(stop > 0, "the reference run is expected to meet a stop token");
        var sample = new Generator(model).Generate([new GenerationRequest("label only", Mode: StopMode.Solution, MaxNewTokens: 24, MaxSteps: 1000,
            PromptTokenIds: Ints(row.GetProperty("raw_ids")))])[0].Samples[0];
        Assert.Equal(expected[..(stop + 1)], sample.TokenIds);
        Assert.Equal(FinishReasons.Eos, sample.FinishReason);
    }

    private static JsonElement Reference(string family) =>
        JsonDocument.Parse(File.ReadAllText(HfFixtures.File(family, "reference.json"))).RootElement;

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt32()).ToArray();
}
