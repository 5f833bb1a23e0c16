using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipeline.Inference;

/// <summary>The models a worker serves, by manifest name (e.g. "tiny-arith-policy", as messages carry
/// them) or by manifest path. Each model is loaded once, on first use, and shared; register the
/// registry as a singleton.</summary>
public sealed class ModelRegistry(InferenceOptions options, ILogger<ModelRegistry>? logger = null) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<LanguageModel>> _models = new(StringComparer.Ordinal);
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private Dictionary<string, string>? _manifests;

    /// <summary>The model of that name (searched under <see cref="InferenceOptions.ModelsDirectory"/>)
    /// or at that manifest path.</summary>
    public LanguageModel Get(string nameOrManifestPath)
    {
        var path = nameOrManifestPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? Path.GetFullPath(nameOrManifestPath)
            : Manifests().TryGetValue(nameOrManifestPath, out var found) ? found
            : throw new KeyNotFoundException($"no model named '{nameOrManifestPath}' under {Path.GetFullPath(options.ModelsDirectory)} " +
                                             $"(found: {string.Join(", ", Manifests().Keys.Order())})");
        return _models.GetOrAdd(path, p => new Lazy<LanguageModel>(() => LanguageModel.Load(p, options, _logger))).Value;
    }

    // name -> manifest path, for every *.manifest.json under the models directory.
    private Dictionary<string, string> Manifests()
    {
        if (_manifests is not null) return _manifests;
        var dir = Path.GetFullPath(options.ModelsDirectory);
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Inference:ModelsDirectory {dir} does not exist");
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(dir, "*.manifest.json", SearchOption.AllDirectories))
            found.TryAdd(ModelManifest.Load(file).Name, file);
        return _manifests = found;
    }

    public void Dispose()
    {
        foreach (var model in _models.Values.Where(l => l.IsValueCreated)) model.Value.Dispose();
    }
}
