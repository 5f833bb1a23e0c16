namespace Pipeline.Inference.Tests;

public sealed class ManifestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("manifest-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Loads_the_tiny_policy_manifest_with_absolute_paths()
    {
        var m = ModelManifest.Load(TestPaths.Tiny("policy.manifest.json"));
        Assert.Equal(ModelRole.Policy, m.Role);
        Assert.Equal(TestPaths.Tiny("policy.onnx"), m.OnnxPath);
        Assert.Equal("\n\n", m.StepDelimiter);
        Assert.True(m.NumLayers > 0 && m.VocabSize == 257);
        Assert.Equal("Compute $1+1$.\n\n", m.FormatPrompt("Compute $1+1$."));
    }

    [Fact]
    public void Revision_and_prm_manifests_carry_their_objects()
    {
        Assert.Equal(4, ModelManifest.Load(TestPaths.Tiny("revision.manifest.json")).Revision!.MaxAttempts);
        Assert.Equal(PrmHeadKind.Value, ModelManifest.Load(TestPaths.Tiny("prm.manifest.json")).Prm!.Head);
    }

    [Fact]
    public void Missing_manifest_names_the_file()
    {
        var path = Path.Combine(_dir, "nope.manifest.json");
        var e = Assert.Throws<ModelFormatException>(() => ModelManifest.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Malformed_json_names_file_and_line()
    {
        var path = Write("bad.manifest.json", "{\n  \"name\": \"x\",\n  \"num_layers\": \"four\"\n}\n");
        var e = Assert.Throws<ModelFormatException>(() => ModelManifest.Load(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("num_layers", e.Message);
    }

    [Fact]
    public void Missing_field_names_field_and_line()
    {
        var text = File.ReadAllText(TestPaths.Tiny("policy.manifest.json")).Replace("\"step_delimiter\"", "\"step_delimiterX\"");
        var path = Write("policy.manifest.json", text);
        CopyModelFiles();
        var e = Assert.Throws<ModelFormatException>(() => ModelManifest.Load(path));
        Assert.Contains("field 'step_delimiter'", e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void Bad_value_names_its_line()
    {
        var text = File.ReadAllText(TestPaths.Tiny("policy.manifest.json")).Replace("\"num_heads\": 4", "\"num_heads\": 0");
        var path = Write("policy.manifest.json", text);
        CopyModelFiles();
        var e = Assert.Throws<ModelFormatException>(() => ModelManifest.Load(path));
        var line = text.Split('\n').ToList().FindIndex(l => l.Contains("\"num_heads\"")) + 1;
        Assert.Contains($"line {line}: field 'num_heads'", e.Message);
    }

    [Fact]
    public void Missing_onnx_file_is_named()
    {
        var path = Write("policy.manifest.json", File.ReadAllText(TestPaths.Tiny("policy.manifest.json")));
        File.Copy(TestPaths.Tiny("vocab.json"), Path.Combine(_dir, "vocab.json"));
        File.Copy(TestPaths.Tiny("merges.txt"), Path.Combine(_dir, "merges.txt"));
        var e = Assert.Throws<ModelFormatException>(() => ModelManifest.Load(path));
        Assert.Contains("field 'onnx'", e.Message);
        Assert.Contains(Path.Combine(_dir, "policy.onnx"), e.Message);
    }

    [Fact]
    public void Corrupt_onnx_file_gives_one_clear_error_naming_it()
    {
        var path = Write("policy.manifest.json", File.ReadAllText(TestPaths.Tiny("policy.manifest.json")));
        CopyModelFiles(onnx: false);
        File.WriteAllBytes(Path.Combine(_dir, "policy.onnx"), [1, 2, 3, 4, 5]);
        var e = Assert.Throws<ModelFormatException>(() => ModelsFixture.Load(path));
        Assert.Equal(Path.Combine(_dir, "policy.onnx"), e.FilePath);
    }

    [Fact]
    public void Malformed_vocab_names_the_vocab_file()
    {
        var path = Write("policy.manifest.json", File.ReadAllText(TestPaths.Tiny("policy.manifest.json")));
        CopyModelFiles();
        File.WriteAllText(Path.Combine(_dir, "vocab.json"), "{\"a\": 1,\n \"b\": }");
        var e = Assert.Throws<ModelFormatException>(() => ModelsFixture.Load(path));
        Assert.Equal(Path.Combine(_dir, "vocab.json"), e.FilePath);
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void Graph_without_the_layout_inputs_is_refused()
    {
        // A PRM graph (input_ids, attention_mask only) declared as a policy: no past_key_values inputs.
        var text = File.ReadAllText(TestPaths.Tiny("policy.manifest.json")).Replace("policy.onnx", "prm.onnx");
        var path = Write("policy.manifest.json", text);
        CopyModelFiles(onnx: false);
        File.Copy(TestPaths.Tiny("prm.onnx"), Path.Combine(_dir, "prm.onnx"));
        var e = Assert.Throws<ModelFormatException>(() => ModelsFixture.Load(path));
        Assert.Contains("past_key_values.0.key", e.Message);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private void CopyModelFiles(bool onnx = true)
    {
        foreach (var f in new[] { "vocab.json", "merges.txt" }.Concat(onnx ? ["policy.onnx"] : []))
            File.Copy(TestPaths.Tiny(f), Path.Combine(_dir, f), overwrite: true);
    }
}
