using Pipeline.Inference.Templates;

namespace Pipeline.Inference.Tests.Templates;

public sealed class ChatTemplateGoldenTests
{
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in TemplateGoldens.Cases) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Renders_as_jinja2_does(string name)
    {
        var c = TemplateGoldens.Case(name);
        if (c.TryGetProperty("expected", out var expected))
        {
            Assert.Equal(expected.GetString(), TemplateGoldens.Render(c));
            return;
        }
        var error = Assert.Throws<ChatTemplateException>(() => TemplateGoldens.Render(c));
        // The same words as jinja2 (raise_exception's message unchanged, UndefinedError's "'x' is undefined", ...).
        Assert.Equal(c.GetProperty("error").GetString(), error.Reason);
        Assert.True(error.Line >= 1 && error.Column >= 1);
    }
}
