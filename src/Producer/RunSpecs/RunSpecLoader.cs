using Pipeline.Inference;
using Pipeline.Producer.Infrastructure;

namespace Pipeline.Producer.RunSpecs;

/// <summary>A run spec with its model manifests read (by the engine's own reader, so a run is only submitted
/// for models a worker can load).</summary>
public sealed record LoadedRunSpec(RunSpec Spec, ModelManifest Policy, ModelManifest Prm, ModelManifest? Revision);

/// <summary>Reads a spec file and the manifests it names. Manifest paths are tried relative to the working
/// directory first (specs in samples/ name models/... from the repository root), then to the spec's folder.</summary>
public static class RunSpecLoader
{
    public static LoadedRunSpec Load(string specFile)
    {
        var spec = RunSpecParser.Parse(InputFiles.ReadAllText(specFile), specFile);
        var errors = new List<InputError>();
        ModelManifest? Manifest(ModelPath? model, ModelRole role)
        {
            if (model is null) return null;
            var field = $"models.{RoleName(role)}";
            var resolved = Resolve(model.Path, specFile);
            if (resolved is null)
            {
                var problem = InputFiles.Problem(model.Path) is "is a directory, not a file" ? "is a directory, not a manifest file" : "not found";
                errors.Add(new InputError(specFile, model.Line, field, $"manifest '{model.Path}' {problem} (looked in {Environment.CurrentDirectory} and beside the spec)"));
                return null;
            }
            ModelManifest manifest;
            try { manifest = ModelManifest.Load(resolved); }
            catch (ModelFormatException e)
            {
                errors.Add(FromModelFormat(e));
                return null;
            }
            if (manifest.Role != role)
            {
                errors.Add(new InputError(resolved, 0, "role", $"is '{RoleName(manifest.Role)}', but the spec uses it as the {RoleName(role)} model"));
                return null;
            }
            return manifest;
        }
        var policy = Manifest(spec.Policy, ModelRole.Policy);
        var prm = Manifest(spec.Prm, ModelRole.Prm);
        var revision = Manifest(spec.Revision, ModelRole.Revision);
        if (errors.Count > 0) throw new InputException(errors);
        return new LoadedRunSpec(spec, policy!, prm!, revision);
    }

    private static string RoleName(ModelRole role) => role.ToString().ToLowerInvariant();

    private static string? Resolve(string path, string specFile)
    {
        if (File.Exists(path)) return path;
        var besideSpec = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(specFile))!, path);
        return File.Exists(besideSpec) ? besideSpec : null;
    }

    // The engine's message is "line N: field 'F': what" after the file: the same parts as an InputError.
    private static InputError FromModelFormat(ModelFormatException e)
    {
        var text = e.Message[(e.FilePath.Length + 2)..];
        var m = System.Text.RegularExpressions.Regex.Match(text, @"^line (\d+): (?:field '([^']*)': )?(.*)$", System.Text.RegularExpressions.RegexOptions.Singleline);
        return m.Success
            ? new InputError(e.FilePath, int.Parse(m.Groups[1].Value), m.Groups[2].Success ? m.Groups[2].Value : null, m.Groups[3].Value)
            : new InputError(e.FilePath, 0, null, text);
    }
}
