using Pipeline.Producer.Infrastructure;

namespace Pipeline.Producer.RunSpecs;

/// <summary>A run spec with its model manifests read.</summary>
public sealed record LoadedRunSpec(RunSpec Spec, ModelManifestInfo Policy, ModelManifestInfo Prm, ModelManifestInfo? Revision);

/// <summary>Reads a spec file and the manifests it names. Manifest paths are tried relative to the working
/// directory first (specs in samples/ name models/... from the repository root), then to the spec's folder.</summary>
public static class RunSpecLoader
{
    public static LoadedRunSpec Load(string specFile)
    {
        var spec = RunSpecParser.Parse(InputFiles.ReadAllText(specFile), specFile);
        var errors = new List<InputError>();
        ModelManifestInfo? Manifest(ModelPath? model, string role)
        {
            if (model is null) return null;
            var resolved = Resolve(model.Path, specFile);
            if (resolved is null)
            {
                var problem = InputFiles.Problem(model.Path) is "is a directory, not a file" ? "is a directory, not a manifest file" : "not found";
                errors.Add(new InputError(specFile, model.Line, $"models.{role}", $"manifest '{model.Path}' {problem} (looked in {Environment.CurrentDirectory} and beside the spec)"));
                return null;
            }
            try { return ModelManifestInfo.Read(resolved, role); }
            catch (InputException e) { errors.AddRange(e.Errors); return null; }
        }
        var policy = Manifest(spec.Policy, "policy");
        var prm = Manifest(spec.Prm, "prm");
        var revision = Manifest(spec.Revision, "revision");
        if (errors.Count > 0) throw new InputException(errors);
        return new LoadedRunSpec(spec, policy!, prm!, revision);
    }

    private static string? Resolve(string path, string specFile)
    {
        if (File.Exists(path)) return path;
        var besideSpec = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(specFile))!, path);
        return File.Exists(besideSpec) ? besideSpec : null;
    }
}
