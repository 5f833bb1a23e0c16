namespace Pipeline.Producer.Infrastructure;

/// <summary>Opens the files a user names (datasets, specs, manifests), turning every way that can fail into
/// an <see cref="InputError"/> that says which it was: a folder is not "not found".</summary>
public static class InputFiles
{
    /// <summary>Why <paramref name="path"/> cannot be read as a file, or null when it can be.</summary>
    public static string? Problem(string path)
    {
        if (Directory.Exists(path)) return "is a directory, not a file";
        if (!File.Exists(path)) return "file not found";
        return null;
    }

    public static void Require(string path)
    {
        if (Problem(path) is { } problem) throw new InputException(new InputError(path, 0, null, problem));
    }

    public static FileStream OpenRead(string path)
    {
        Require(path);
        try { return File.OpenRead(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(new InputError(path, 0, null, $"cannot be read ({e.Message})"));
        }
    }

    public static string ReadAllText(string path)
    {
        using var stream = OpenRead(path);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
