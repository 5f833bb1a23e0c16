using Pipeline.Inference.Templates;

namespace Pipeline.Inference.Tests.Templates;

/// <summary>What the interpreter refuses, and that every refusal names the source, line and column.</summary>
public sealed class ChatTemplateErrorTests
{
    private static readonly ChatTemplateOptions NoOptions = new();
    private static readonly ChatMessage[] OneUser = [new("user", "hi")];

    private static ChatTemplateException ParseFails(string template)
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(template, "t.jinja"));
        Assert.Equal("t.jinja", error.SourceName);
        Assert.StartsWith($"t.jinja:{error.Line}:{error.Column}: ", error.Message);
        return error;
    }

    private static ChatTemplateException RenderFails(string template)
    {
        var parsed = ChatTemplate.Parse(template, "t.jinja");
        var error = Assert.Throws<ChatTemplateException>(() => parsed.Render(OneUser, true, NoOptions));
        Assert.StartsWith($"t.jinja:{error.Line}:{error.Column}: ", error.Message);
        return error;
    }

    [Theory]
    [InlineData("ok\n  {% frobnicate x %}", 2, 6, "Encountered unknown tag 'frobnicate'.")]
    [InlineData("{% for m in messages %}\n{% endif %}", 2, 4, "Encountered unknown tag 'endif'. Jinja was looking for the following tags: 'endfor' or 'else'.")]
    [InlineData("{% include 'other.jinja' %}", 1, 4, "the 'include' tag is not supported")]
    [InlineData("{% extends 'base' %}", 1, 4, "the 'extends' tag is not supported")]
    [InlineData("{% call f() %}{% endcall %}", 1, 4, "the 'call' tag is not supported")]
    [InlineData("a\nb {{ x | frobnicate }}", 2, 10, "No filter named 'frobnicate'.")]
    [InlineData("{{ x | wordwrap(10) }}", 1, 8, "the 'wordwrap' filter is not supported")]
    [InlineData("{{ x | truncate }}", 1, 8, "the 'truncate' filter is not supported")]
    [InlineData("{% if x is frobnicated %}{% endif %}", 1, 12, "No test named 'frobnicated'.")]
    [InlineData("{% break %}", 1, 4, "'break' outside loop")]
    [InlineData("{% for x in y %}{% macro m() %}{% continue %}{% endmacro %}{% endfor %}", 1, 35, "'continue' outside loop")]
    [InlineData("{% for x in y recursive %}{% endfor %}", 1, 15, "recursive for loops are not supported")]
    [InlineData("{{ f(*args) }}", 1, 6, "*args and **kwargs")]
    [InlineData("{{ 'unterminated }}", 1, 4, "unexpected char \"'\"")]
    [InlineData("{{ (1, 2 }}", 1, 10, "unexpected '}', expected ')'")]
    [InlineData("{# never closed", 1, 1, "Missing end of comment tag")]
    [InlineData("{% raw %} never closed", 1, 1, "Missing end of raw directive")]
    [InlineData("{% set true = 1 %}", 1, 8, "can't assign to 'const'")]
    [InlineData("{{ '\\N{BULLET}' }}", 1, 5, "\\N{...} escapes")]
    public void Unsupported_or_malformed_syntax_fails_at_parse_with_its_position(string template, int line, int column, string reason)
    {
        var error = ParseFails(template);
        Assert.Contains(reason, error.Reason);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("{% if true %}\nnever closed")]
    [InlineData("{% for m in messages %}\n{% if m %}\n{% endfor %}")]
    [InlineData("{% macro f() %}body")]
    [InlineData("{{ messages[0] ")]
    [InlineData("{% set x = %}")]
    public void Unclosed_blocks_and_truncated_expressions_fail_at_parse(string template)
    {
        var error = ParseFails(template);
        Assert.True(error.Line >= 1 && error.Column >= 1);
    }

    [Fact]
    public void Unclosed_block_names_the_tag_jinja_was_looking_for()
    {
        var error = ParseFails("{% for m in messages %}\n  {% if m %}x{% endif %}");
        Assert.Contains("Jinja was looking for the following tags: 'endfor' or 'else'", error.Reason);
        Assert.Contains("'for'", error.Reason);
    }

    [Fact]
    public void Raise_exception_keeps_the_templates_message_and_points_at_the_call()
    {
        var error = RenderFails("line one\n{%- if messages[0].role == 'user' %}\n    {{ raise_exception('Roles must alternate!') }}\n{% endif %}");
        Assert.Equal("Roles must alternate!", error.Reason);
        Assert.Equal(3, error.Line);
        Assert.Equal(8, error.Column);
    }

    [Theory]
    [InlineData("{{ undefined_name.attr }}", "'undefined_name' is undefined")]
    [InlineData("{{ messages[0].content + 1 }}", "can only concatenate str (not \"int\") to str")]
    [InlineData("{{ 1 / 0 }}", "division by zero")]
    [InlineData("{{ messages.append(1) }}", "access to attribute 'append' of 'list' object is unsafe.")]
    [InlineData("{{ messages | selectattr('role') | length }}", "object of type 'generator' has no len()")]
    [InlineData("{{ messages | selectattr('role') }}", "cannot print a generator object")]
    [InlineData("{{ x | tojson }}", "Object of type Undefined is not JSON serializable")]
    [InlineData("{% set a, b = [1] %}", "not enough values to unpack (expected 2, got 1)")]
    [InlineData("{% set ns = 1 %}{% set ns.a = 2 %}", "cannot assign attribute on non-namespace object")]
    [InlineData("{{ range(200000) | length }}", "Range too big")]
    [InlineData("{{ cycler(1, 2) }}", "'cycler' is not supported")]
    [InlineData("{{ strftime_now('%Q') }}", "strftime directive '%Q' is not supported")]
    [InlineData("{{ 'x'.format_map({}) }}", "str.format_map() is not supported")]
    [InlineData("{{ 'x'.no_such_method() }}", "'str object' has no attribute 'no_such_method'")]
    [InlineData("{{ '{0:>5}'.format(1) }}", "format spec, which is not supported")]
    [InlineData("{% macro f(a) %}{% endmacro %}{{ f(1, 2) }}", "macro 'f' takes not more than 1 argument(s)")]
    [InlineData("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "nested more than")]
    [InlineData("{{ 9223372036854775807 + 1 }}", "integer overflow")]
    public void Runtime_errors_are_raised_where_jinja2_raises_them(string template, string reason)
    {
        var error = RenderFails(template);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void Load_reads_utf8_as_python_does_keeping_a_bom_and_refusing_invalid_bytes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bom-{Guid.NewGuid():N}.jinja");
        try
        {
            File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "é{{ 'x' }}\n"u8.ToArray()]);
            Assert.Equal("\uFEFFéx", ChatTemplate.Load(path).Render([], false, NoOptions));
            File.WriteAllBytes(path, [(byte)'a', 0xFF, (byte)'b']);
            var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Load(path));
            Assert.Contains("not valid UTF-8", error.Reason);
            Assert.Equal(path, error.SourceName);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_names_the_file_in_errors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"broken-{Guid.NewGuid():N}.jinja");
        File.WriteAllText(path, "{{ messages }}\n{% if %}");
        try
        {
            var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Load(path));
            Assert.Equal(path, error.SourceName);
            Assert.Equal(2, error.Line);
            Assert.StartsWith($"{path}:2:", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
