#!/usr/bin/python3
"""Golden renders for tests/Inference.Tests/Templates: every template here x a set of conversations, and a list
of small snippets, rendered by the real jinja2 exactly as transformers' apply_chat_template renders them
(ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, the {% generation %} tag, tojson with
ensure_ascii=False, raise_exception, strftime_now; variables messages, tools=None, documents=None,
add_generation_prompt, the special tokens, then the extra kwargs).

Run from anywhere with Debian's jinja2 (apt-get install -y python3-jinja2):
    /usr/bin/python3 tests/Inference.Tests/Fixtures/templates/make_goldens.py
It rewrites goldens.json beside this file. strftime_now sees each case's fixed "now".
"""
import json
import os
from datetime import datetime

import jinja2
import jinja2.ext
import jinja2.nodes
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))


class GenerationTag(jinja2.ext.Extension):
    """transformers' AssistantTracker without the tracking: {% generation %} renders its body."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_generation_support"), [], [], body).set_lineno(lineno)

    def _generation_support(self, caller):
        return caller()


def make_env(now):
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return now.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(source, messages, add_generation_prompt, bos, eos, extra, now):
    env = make_env(datetime.fromisoformat(now))
    kwargs = {}
    if bos is not None:
        kwargs["bos_token"] = bos
    if eos is not None:
        kwargs["eos_token"] = eos
    kwargs.update(extra)
    tools = kwargs.pop("tools", None)
    documents = kwargs.pop("documents", None)
    try:
        template = env.from_string(source)
        return {"expected": template.render(messages=messages, tools=tools, documents=documents,
                                            add_generation_prompt=add_generation_prompt, **kwargs)}
    except Exception as e:  # the C# side must fail too; TemplateError (raise_exception) messages must match
        return {"error": str(e), "error_type": type(e).__name__}


SYSTEM = (
    "Solve the following math problem efficiently and clearly:\n\n- For simple problems (2 steps or fewer):\n"
    "Provide a concise solution with minimal explanation.\n\n- For complex problems (3 steps or more):\n"
    "Use this step-by-step format:\n\n## Step 1: [Concise description]\n[Brief explanation and calculations]\n\n"
    "## Step 2: [Concise description]\n[Brief explanation and calculations]\n\n...\n\n"
    "Regardless of the approach, always conclude with:\n\n"
    "Therefore, the final answer is: $\\boxed{answer}$. I hope it is correct.\n\n"
    "Where [answer] is just the final number or expression that solves the problem."
)
PROBLEM = ("Convert the point $(0,3)$ in rectangular coordinates to polar coordinates.  Enter your answer in the form "
           "$(r,\\theta),$ where $r > 0$ and $0 \\le \\theta < 2 \\pi.$")
LATEX = ("Let $f(x) = \\frac{x^2 + 1}{\\sqrt{x}}$ and $\\{a_n\\}_{n \\ge 1}$ with \"quotes\", 'single', `back`,\n"
         "braces {{ not a tag }} {% neither %} {# nor this #}, a tab\there, \\n literally, and a trailing backslash \\")
UNICODE = "Привет, 世界! Ünïcödé — “smart” ‘quotes’ … 😀🚀 עברית and emoji; zero-width\u200bspace\u00a0nbsp"
PADDED = "   \n  padded content with spaces and newlines  \n\n "

U = lambda c: {"role": "user", "content": c}
A = lambda c: {"role": "assistant", "content": c}
S = lambda c: {"role": "system", "content": c}

CONVERSATIONS = {
    "system_user": [S(SYSTEM), U(PROBLEM)],
    "user_only": [U(PROBLEM)],
    "multi_turn": [S("You are terse."), U("What is 2+2?"), A("4"), U("And 3+3?")],
    "multi_turn_no_system": [U("Hi"), A("Hello! How can I help?"), U("Tell me a joke.")],
    "latex": [S("Use LaTeX: \\boxed{}"), U(LATEX)],
    "unicode": [U(UNICODE), A(UNICODE[::-1]), U("Again: " + UNICODE)],
    "empty_content": [S(""), U("")],
    "empty_user": [U("")],
    "padded": [S(PADDED), U(PADDED), A(PADDED), U(PADDED)],
    "think": [U("Solve 1+1."), A("<think>\nsimple\n</think>\n\nThe answer is 2."), U("Now 2+2?")],
    "bad_alternation": [U("one"), U("two")],
    "assistant_first": [A("I start."), U("ok")],
    "crlf": [U("line one\r\nline two\rline three")],
}

TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Get the weather in a city, in °C",
                                       "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name, e.g. \"Zürich\""}},
                                                      "required": ["city"]}}},
    {"type": "function", "function": {"name": "add", "description": "Add numbers", "parameters": {"type": "object", "properties": {
        "a": {"type": "number"}, "b": {"type": "number", "default": 1.5}}, "required": ["a"]}}},
]
META = {"n": 3, "ratio": 0.25, "flag": True, "nothing": None, "name": "møde", "nested": {"list": [1, "two", 3.0]}, "big": 1e20}

FAMILIES = {
    "llama-3.2-instruct.jinja": ("<|begin_of_text|>", "<|eot_id|>"),
    "qwen2.5-math-instruct.jinja": (None, "<|im_end|>"),
    "qwen2.5-instruct.jinja": (None, "<|im_end|>"),
    "chatml.jinja": (None, "<|im_end|>"),
    "mistral-instruct-v0.1.jinja": ("<s>", "</s>"),
    "mistral-instruct-v0.3.jinja": ("<s>", "</s>"),
    "llama-2-chat.jinja": ("<s>", "</s>"),
    "gemma.jinja": ("<bos>", "<eos>"),
    "gemma-3.jinja": ("<bos>", "<eos>"),
    "phi-3.jinja": ("<s>", "<|endoftext|>"),
    "deepseek-r1-distill.jinja": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    "qwen3.jinja": (None, "<|im_end|>"),
    "synthetic.jinja": ("<s>", "</s>"),
}
NOW = "2024-07-26T09:05:03"


def template_cases():
    cases = []
    for template, (bos, eos) in FAMILIES.items():
        with open(os.path.join(HERE, template), encoding="utf-8") as f:
            source = f.read()
        extras = [("none", {})]
        if template.startswith("llama-3"):
            extras += [("date_string", {"date_string": "26 Jul 2024"}), ("tools", {"tools": TOOLS})]
        if template.startswith(("qwen2.5", "mistral-instruct-v0.3", "qwen3")):
            extras += [("tools", {"tools": TOOLS})]
        if template.startswith("qwen3"):
            extras += [("no_thinking", {"enable_thinking": False})]
        if template == "synthetic.jinja":
            extras = [("synthetic", {"tools": TOOLS, "meta": META})]
        for conv_name, messages in CONVERSATIONS.items():
            for extra_name, extra in extras:
                for agp in (True, False):
                    case = {"name": f"{template}|{conv_name}|{extra_name}|agp={agp}", "template": template,
                            "conversation": conv_name, "add_generation_prompt": agp, "bos_token": bos, "eos_token": eos,
                            "extra": extra_name, "now": NOW}
                    case.update(render(source, messages, agp, bos, eos, extra, NOW))
                    cases.append(case)
    return cases


# Small templates, each about one construct; rendered with the "multi_turn" messages and SNIPPET_EXTRA.
SNIPPETS = [
    "{% set x = 0 %}{% for i in [1,2] %}{{ x }}{% set x = i %}{% endfor %}{{ x }}",
    "{% set x = 5 %}{% for i in [1,2] %}{% if i == 2 %}[{{ x }}]{% endif %}{% set x = i %}{% endfor %}{{ x }}",
    "{{ none }}|{{ [1, 'a', none, 1.0, 1e20, {'k': (1,)}] }}|{{ 1/2 }}|{{ 7//2 }}|{{ -7//2 }}|{{ -7 % 3 }}|{{ 2**3**2 }}",
    "{{ m.x }}|{{ 'x' in m }}|{{ m.a }}|{{ m['a'] }}|{{ m.get('a') }}",
    "{{ x is defined }}{% if m.b is defined %}y{% endif %}{{ u in [1] }}{{ 1 in u }}",
    "a\n  {% if 1 %}\n  b\n  {% endif %}\n  {{ 1 }}  {#c#}\n   {# d #}\nend\n",
    "{{ 'a\\\\d\\u00e9\\x41\\n\\\\' }}|{{ 'a' 'b' }}|{{ '\\q\\'' }}|{{ '\\é' }}|{{ \"\\101\\0\" | length }}",
    "{{ '%s-%d' % ('a', 3) }}|{{ '{} {}'.format(1, 'x') }}|{{ (1,) }}|{{ () }}|{{ '%5.2f|%-4d|%05d' % (3.14159, 7, 42) }}",
    "{{ 1 == 1.0 }}{{ true == 1 }}{{ 'ab' < 'b' }}{{ [1,2] < [1,3] }}|{{ 0.1+0.2 }}|{{ 1e16 }}|{{ 1e-5 }}|{{ 123456789012345678.0 }}|{{ 1.5e300 * 1e10 }}|{{ 0.0001 }}|{{ 100.0 }}",
    "{% for i in [1,2,3] if i != 2 %}{{ loop.index }}/{{ loop.length }}{{ loop.last }} {% else %}none{% endfor %}",
    "{% for i in [] %}x{% else %}empty{% endfor %}|{% for i in [1] if false %}x{% else %}filtered{% endfor %}",
    "{% for a, b in [[1,2],[3,4]] %}{{ a }}{{ b }}{% endfor %}{% for k, v in {'x': 1, 'y': 2}.items() %}{{ k }}={{ v }}{% endfor %}",
    "{% set ns = namespace(a=1) %}{% for i in [1,2] %}{% set ns.a = ns.a + i %}{% endfor %}{{ ns.a }}{{ ns }}",
    "{% macro f(a, b='z') %}<{{ a }}{{ b }}>{% endmacro %}{{ f(1) }}{{ f(1, b=2) }}{{ f(b=3, a=4) }}{{ f }}",
    "{% macro outer(x) %}[{{ inner(x * 2) }}]{% endmacro %}{% macro inner(y) %}{{ y }}{% endmacro %}{{ outer(3) }}",
    "{{ '  Hello World  ' | trim }}|{{ 'hello wORLD-foo(bar' | title }}|{{ 'hello wORLD-foo(bar'.title() }}|{{ 'aBC' | capitalize }}|{{ \"they're\".title() }}",
    "{{ [3,1,2] | reverse | list }}|{{ 'abc' | reverse }}|{{ [1,2,1,'A','a'] | unique | list }}|{{ {'a':1} | items | list }}",
    "{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'x' | indent }}|{{ 'a\\n\\nb' | indent(1, blank=true) }}",
    "{{ [{'a':1},{'b':2},{'a':3}] | selectattr('a', 'defined') | map(attribute='a') | join(',') }}|{{ [1,2,3] | select('odd') | list }}|{{ ['a','b'] | map('upper') | list }}",
    "{{ x | default('d') }}|{{ '' | default('d', true) }}|{{ none | default('d') }}|{{ x | d('e') }}",
    "{{ '3' | int + 1 }}|{{ '3.7' | int }}|{{ 'x' | int }}|{{ 3.9 | int }}|{{ 3 | string }}|{{ none | string }}|{{ 'abc' | list }}|{{ '0x1A' | int(0, 16) }}|{{ ' 12 ' | int }}",
    "{{ [1,2,3][1:] }}|{{ [1,2,3][::-1] }}|{{ 'hello'[1:3] }}|{{ [1,2,3][-1] }}|{{ [1,2][5] }}|{{ 'abc'[-1] }}|{{ 'hello'[::2] }}|{{ [1,2,3,4,5][-2:0:-1] }}",
    "{{ {'a': [1, {'b': 'é\\n\"q\"'}], 'c': none, 'd': true, 'e': 1.5} | tojson }}|{{ {'a': [1,2]} | tojson(indent=2) }}|{{ [] | tojson(indent=2) }}|{{ {} | tojson }}",
    "{{ (1,2) | tojson }}|{{ 'é' | tojson(ensure_ascii=True) }}|{{ {'b':1,'a':2} | tojson(sort_keys=True, separators=(',',':')) }}|{{ 1.0 | tojson }}|{{ {1: 2, none: 3, true: 4} | tojson }}|{{ '\\x01\\x7f' | tojson }}",
    "{{ 'a,b,,c'.split(',') }}|{{ '  a b  '.split() }}|{{ 'a b c'.split(' ', 1) }}|{{ 'xxhixx'.strip('x') }}|{{ 'abc'.startswith(('x','a')) }}|{{ 'a b c'.rsplit(' ', 1) }}|{{ 'l1\\nl2\\r\\nl3'.splitlines() }}",
    "{{ {'a':1}.get('a') }}{{ {'a':1}.get('b') }}{{ {'a':1}.get('b', 2) }}{{ {'a':1}.keys() | list }}{{ {'a':1}.values() | list }}|{{ {'a':1}.items() }}",
    "{{ 1 + 'a' }}",
    "{{ x.y }}",
    "{{ m.a.b.c }}",
    "{{ [1].append(2) }}",
    "{{ 1 / 0 }}",
    "{{ 'x' < 1 }}",
    "{{ foo() }}",
    "{{ none.x }}|{{ (none.x) is defined }}",
    "{{ messages[0].role.upper() }}|{{ 'a-b'.split('-')[1] }}|{{ 'Hi'.lower().startswith('h') }}|{{ '%d items' | format(3) }}",
    "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a }}",
    "{{ messages | length }}{{ 'é😀x' | length }}{{ 'é😀x'[1] }}{{ 'é😀x'[::-1] }}",
    "{%- for message in messages -%}{{ loop.index0 }}{{ message.content }}{%- endfor -%}",
    "{{ 'a' in 'abc' }}{{ 'role' in messages[0] }}{{ 1 in [1,2] }}{{ 1 not in [1] }}{{ 'z' not in messages[0] }}",
    "{{ messages[0] }}|{{ messages[0] | string }}|{{ [none, true, \"it's\", 'q\"', '\\n\\u00e9\\u200b\\xa0'] }}",
    "{{ namespace(a=1, b='x') }}|{% set ns = namespace() %}{{ ns.z }}|{{ ns.z is defined }}",
    "{{ 3 is divisibleby 3 }}{{ 'ABC' is upper }}{{ [] is sequence }}{{ x is sequence }}{{ x is iterable }}{{ 1.5 is float }}{{ 1 is integer }}{{ true is integer }}{{ true is boolean }}{{ {} is sequence }}",
    "{{ '  a  ' | trim('a ') }}|{{ 'abc' | replace('b', 'X') }}|{{ 'aaa'.replace('a', 'b', 2) }}|{{ 'abc'.replace('', '-') }}",
    "{% set x %}{% set inner = 1 %}{% endset %}[{{ inner }}]",
    "{{ 'x' if true }}|{{ 'x' if false }}|{{ 'a' if false else 'b' if false else 'c' }}",
    "{{ [1,2,3] | join }}|{{ [1,2,3] | join(', ') }}|{{ messages | join(',', attribute='role') }}|{{ x | join }}|{{ 'abc' | join('-') }}",
    "{{ [3,1,2] | sort }}|{{ ['b','A','a'] | sort }}|{{ [1,2,3] | sum }}|{{ [1,2] | max }}|{{ ['B','a'] | min }}|{{ messages | sort(attribute='role') | map(attribute='content') | list }}",
    "{{ messages | first | items | list }}|{{ messages[0] | dictsort }}",
    "{{ messages | selectattr('role', 'eq', 'user') | length }}",
    "{% if messages | selectattr('role', 'eq', 'x') %}yes{% endif %}",
    "{% set s = messages | selectattr('role', 'eq', 'user') %}{% for x in s %}a{% endfor %}{% for x in s %}b{% endfor %}",
    "{{ messages | map(attribute='role') | first }}|{{ (messages | first).role }}|{{ messages | last | attr('role') }}|{{ messages | map(attribute='missing', default='dflt') | list }}",
    "{{ '<b>' | safe + '<i>' }}|{{ '<a>' | e }}|{{ ('<' | e) ~ '<' }}|{{ '<b>' + ('<i>' | safe) }}",
    "{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}|{{ range(2, 10, 3) | list }}|{{ range(3) | length }}",
    "{% for i in [1,2] %}{% for j in [3] %}{{ loop.index }}{% endfor %}{{ loop.index }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.previtem }}{{ loop.nextitem }}{{ loop.cycle('a', 'b') }}{% endfor %}",
    "{{ loop }}|{{ undefined_thing }}|{{ undefined_thing | length }}|{% for x in undefined_thing %}x{% endfor %}|{{ undefined_thing ~ 'x' }}|{{ undefined_thing == undefined_thing }}",
    "{{ undefined_thing + 1 }}",
    "{{ undefined_thing | tojson }}",
    "{{ dict(a=1, b=[2]) }}|{{ dict(a=1) | tojson }}|{{ {'k': 'v'} | tojson(indent='\\t') }}",
    "  {%- if true %} x {% endif -%}  \n  {%+ if true %}y{% endif %}\n{% if true +%}\nz\n{% endif %}",
    "{{- '  ' -}}  |  {{ 'a' -}}   \n  b {#- c -#}  d {#+ e +#} f",
    "{% raw %}{{ x }}{% endraw %}|{%- raw -%}  {% y %}  {%- endraw -%}  |\n  {% raw %}\nkeep\n  {% endraw %}\nafter",
    "line\n    {% for i in [1, 2] %}\n    item {{ i }}\n    {% endfor %}\nend",
    "{{ 'a' | upper }}{{ 'A' | lower }}{{ 'hello world' | upper if false else 'skip' }}",
    "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c %}cap{{ a }}{% endset %}{{ c }}|{{ c | length }}{% set d | upper %}low{% endset %}{{ d }}",
    "{{ 10 / 4 }}|{{ 10 / 5 }}|{{ 2 ** -1 }}|{{ 7 % -3 }}|{{ 7.5 // 2 }}|{{ -7.5 % 2 }}|{{ 1 / 3 }}|{{ 2.5 * 2 }}|{{ 'ab' * 2 }}|{{ 3 - 5.5 }}|{{ [0] * 3 }}|{{ -(3) }}|{{ +4 }}",
    "{{ strftime_now('%Y-%m-%d %H:%M:%S %a %A %b %B %j %U %W %w %u %y %C %e %-m/%-d %I %p %D %F %T %R %%') }}",
    "{{ 'x' is string }}{{ 'filter' is filter }}{{ 'upper' is filter }}{{ 'odd' is test }}{{ true is sameas true }}{{ none is sameas none }}",
    "{{ 'Hello {name}, {0}!'.format('x', name='N') }}|{{ '{{}}'.format() }}",
    "{{ meta.nested.list | tojson }}|{{ meta.big }}|{{ meta.ratio }}|{{ meta.flag }}|{{ meta.nothing }}|{{ meta }}",
    "{{ (1, 2) + (3,) }}|{{ [1] + [2] }}|{{ 'a' ~ [1] }}|{{ 1 < 2 > 1 }}|{{ 'b' > 'a' }}",
    "{% if 'tool_calls' in messages[0] %}yes{% else %}no{% endif %}|{{ messages[0].tool_calls is defined }}|{{ messages[0].tool_calls | length }}",
    "{% for m in messages %}{{ m.content if m.role == 'user' else m.role }}{{ ',' if not loop.last }}{% endfor %}",
    "{{ [1, 2, 3] | last }}|{{ [] | first }}|{{ [] | last is defined }}|{{ 'abc' | first }}",
    "{{ {'a': 1, 'b': 2} | list }}|{{ {'a': 1} | length }}|{% for k in {'x': 1, 'y': 2} %}{{ k }}{% endfor %}",
    "{{ [1, 2, 3] | map('string') | join('+') }}|{{ ['a', 'b'] | map('replace', 'a', 'z') | list }}|{{ [[1, 2], [3]] | map('length') | list }}",
    "{{ ['x', 'Y', 'x'] | unique(case_sensitive=true) | list }}|{{ [{'n': 'a'}, {'n': 'A'}] | unique(attribute='n') | list }}",
    "{% set items = [3, 1] %}{% set items = items + [2] %}{{ items | sort | join(',') }}{% set t = (1, 2) %}{{ t[0] }}{{ t | length }}",
    "{{ 'caf\\u00e9' | upper }}|{{ 'ÉCOLE' | lower }}|{{ 'ǅ'.lower() }}",
    # whitespace control corners
    "a\n\t {% if true %}\n\tb\n\t{% endif %}\n{{ 'v' }}\n    {% if true %}c{% endif %}\n",
    "{{ 'x' }}\n    {% if true %}y{% endif %}\n   {{ 'z' }}",
    "start {%- if true -%}\n\n\n   mid   \n\n{%- endif -%}\n\n end",
    "x\n\n",
    "x\r\ny\r\n  {% if true %}\r\nz\r\n  {% endif %}\r\n",
    "  {# comment #}\n  {#- trimmed -#}  \n  text",
    "{% for i in [1, 2] -%}\n  {{ i }}\n{%- endfor %}\n",
    "{% for i in [1, 2] %}\n  {{ i }}\n{% endfor %}\n",
    "<{% if true %}{% endif %}>\n<{% if false %}{% endif %}>",
    "{%- set a = 1 -%}\n\n{{- a -}}\n\n",
    # literals
    "{{ '\\'' }}{{ \"\\\"\" }}{{ '\\101\\x42\\u0043\\U0001F600' }}{{ 'tab\\tnew\\nline' | tojson }}{{ 'é' ~ 'ü' }}",
    "{{ 1e22 }}|{{ 1.1 }}|{{ 2.675 }}|{{ 5e-324 }}|{{ 1.7976931348623157e308 }}|{{ 123456789.123 }}|{{ 0.1 * 3 }}|{{ -0.0 }}|{{ 1e15 }}|{{ 9999999999999998.0 }}|{{ 0.00012 }}|{{ 12345678901234567890.0 }}",
    "{{ 0b101 }}|{{ 0o17 }}|{{ 0xff }}|{{ 1_000_000 }}|{{ 3.14_15 }}|{{ 1E3 }}|{{ 10 ** 18 }}",
    "{{ [1, 2,] }}|{{ {'a': 1,} }}|{{ (1, 2,) }}|{{ [[], {}, ()] }}|{{ {'n': {'m': [1]}} }}",
    # filters on odd inputs
    "{{ 1 | trim }}|{{ none | trim }}|{{ {'a': 1} | join(',') }}|{{ {'a': 1, 'b': 2} | first }}|{{ 'xyz' | last }}|{{ {'a': 1} | length }}|{{ {'k': 1} | list }}",
    "{{ '' | default('e') }}|{{ 0 | default('z', boolean=true) }}|{{ [] | d('l', true) }}|{{ false | default('f') }}",
    "{{ 'Hello' | indent(2, first=true) }}|{{ '' | indent }}|{{ 'a\\n' | indent }}|{{ 'a\\r\\nb' | indent(1) }}",
    "{{ {'b': 2, 'a': 1, 'C': 0} | dictsort }}|{{ {'b': 2, 'a': 1} | dictsort(by='value', reverse=true) }}|{{ [('b', 1), ('a', 2)] | sort(attribute='0') }}",
    "{{ ['a', 'B', 'c'] | sort(case_sensitive=true) }}|{{ ['a', 'B', 'c'] | sort }}|{{ [3, 1] | sort(reverse=true) | first }}|{{ [{'x': 2}, {'x': 1}] | sort(attribute='x') | map(attribute='x') | join }}",
    "{{ [1, 2, 3] | map('int') | sum }}|{{ [[1], [2, 3]] | sum(start=[]) }}|{{ [{'v': 1}, {'v': 2}] | sum(attribute='v') }}|{{ [1.5, 2] | sum }}",
    "{{ 'hello world foo' | replace(' ', '_', 1) }}|{{ 'aaa' | replace('a', 'bb') }}|{{ 'x' | replace('', '-') }}",
    "{{ 'ab' | tojson }}|{{ 'a/b<c>&\\'' | tojson }}|{{ 3 | tojson }}|{{ none | tojson }}|{{ [1.5, true, none] | tojson(indent=1) }}|{{ {'a': {'b': []}} | tojson(indent=0) }}",
    "{{ 'word another' | capitalize }}|{{ 'ALL CAPS' | title }}|{{ 'o\\'neil mc-d x_y' | title }}|{{ 'o\\'neil mc-d x_y'.title() }}|{{ '1st 2nd' | title }}",
    "{{ ['b', 'a'] | reverse | join }}|{{ (1, 2) | reverse | list }}|{{ {'a': 1, 'b': 2} | reverse | list }}",
    "{{ [0, 1, '', 'x', none, [], [0]] | select | list }}|{{ [0, 1, '', 'x'] | reject | list }}|{{ [1, 2, 3] | select('gt', 1) | list }}|{{ [1, 2, 3] | select('in', [1, 3]) | list }}|{{ ['a', 'b'] | select('equalto', 'b') | list }}",
    "{{ messages | selectattr('content') | map(attribute='role') | list }}|{{ messages | rejectattr('role', 'in', ['user', 'system']) | map(attribute='content') | list }}|{{ messages | selectattr('role', 'ne', 'user') | list | length }}",
    "{{ '%s' % none }}|{{ '%r' % 'q' }}|{{ '%s and %s' % ['a', 'b'] if false else '%s' % (['a', 'b'],) }}|{{ '%(a)s-%(b)d' % {'a': 'x', 'b': 2} }}|{{ '%%d' % () }}|{{ '%3s|%-3s|' % ('a', 'b') }}",
    # scoping
    "{% for i in [1] %}{% set inner = 1 %}{% endfor %}[{{ inner }}]{% if true %}{% set in_if = 2 %}{% endif %}[{{ in_if }}]",
    "{% set x = 1 %}{% macro show() %}{{ x }}{% endmacro %}{% set x = 2 %}{{ show() }}",
    "{% macro f(a, b=a * 2) %}{{ a }},{{ b }}{% endmacro %}{{ f(3) }}|{{ f(3, 1) }}|{% macro g(p) %}{{ p is defined }}{% endmacro %}{{ g() }}",
    "{% set ns = namespace(items=[]) %}{% macro add(x) %}{% set ns.items = ns.items + [x] %}{% endmacro %}{{ add(1) }}{{ add(2) }}{{ ns.items }}",
    "{% for a in [1, 2] %}{% for b in [3, 4] %}{% if b == 4 %}{% break %}{% endif %}{{ a }}{{ b }} {% endfor %}{% endfor %}",
    "{% for x in [1, 2, 3] %}{{ loop.changed(x > 1) }}{% endfor %}|{% for x in 'ab' %}{{ loop.first }}{{ x }}{% endfor %}|{% for x in {'k': 'v'} %}{{ x }}{% endfor %}",
    "{% set messages = messages[1:] %}{{ messages | length }}{% for m in messages %}{% set messages = [] %}{{ messages | length }}{% endfor %}{{ messages | length }}",
    "{% set a = {'x': {'y': 'deep'}} %}{{ a.x.y }}|{{ a['x']['y'] }}|{{ a.x['y'] }}|{{ a.get('x').get('y') }}|{{ a.x.z is defined }}|{{ a.items | default('m') is defined }}",
    "{% if not add_generation_prompt is defined %}undef{% else %}{{ add_generation_prompt }}{% endif %}|{{ bos_token is defined }}|{{ eos_token }}|{{ tools }}|{{ documents is none }}",
    # operators
    "{{ 'a' ~ 2 * 3 }}|{{ 2 + 3 * 4 ** 2 }}|{{ (2 + 3) * 4 }}|{{ not 1 in [1] }}|{{ -2 ** 2 }}|{{ 10 - 2 - 3 }}|{{ 100 / 10 / 2 }}|{{ 7 // 2 * 2 }}|{{ 1 if 1 else 2 if 0 else 3 }}",
    "{{ 'abc' * 0 }}|{{ 2 * 'ab' }}|{{ [1, 2] * 2 }}|{{ true + true }}|{{ 3 % 2 == 1 and 'odd' or 'even' }}|{{ none or false or 0 }}|{{ '' and 'x' }}",
    "{{ 'b' in ['a', 'b'] }}{{ 2 in {2: 'x'} }}{{ 'x' in {'x': 1}.keys() }}{{ 1 in (1, 2) }}{{ 'ab' in 'cabd' }}{{ '' in 'x' }}{{ none in [none] }}",
    "{{ [1, 'a'] == [1, 'a'] }}{{ {'a': 1} == {'a': 1} }}{{ (1,) == [1] }}{{ none == none }}{{ 1 != 1.0 }}{{ 'a' == 'a' }}{{ true == 1.0 }}{{ 2 > 1.5 }}{{ [2] > [1, 5] }}",
    "{{ 'ab'[0] }}{{ 'ab'[5] is defined }}{{ [1, 2, 3][10:] }}{{ [1, 2, 3][:-1] }}{{ 'abcdef'[1:5:2] }}{{ 'abcdef'[::-2] }}{{ [1, 2, 3][-5:] }}{{ (1, 2, 3)[1:] }}",
    "{{ messages[-1].content }}|{{ messages[0]['role'][0] }}|{{ messages.0.role }}|{{ messages[1:3] | map(attribute='role') | join('/') }}",
    # strings
    "{{ 'A-B_C d'.lower() }}|{{ ' x '.strip() }}|{{ 'xyx'.lstrip('x') }}|{{ 'xyx'.rstrip('x') }}|{{ 'a,b'.split(',', maxsplit=0) }}|{{ ''.split(',') }}|{{ ''.split() }}|{{ '  a  b '.split(None, 1) }}",
    "{{ 'abc'.endswith('c') }}{{ 'abc'.startswith('b') }}{{ 'abc'.find('z') }}{{ 'a-b-c'.rfind('-') }}{{ ','.join(['a', 'b']) }}{{ 'Ab1'.isalnum() }}{{ '12'.isdigit() }}{{ ' '.isspace() }}{{ 'abc'.islower() }}{{ 'ABC'.isupper() }}",
    "{{ 'x\\u2028y'.splitlines() }}|{{ 'a\\n\\nb\\n'.splitlines() }}|{{ 'line1\\nline2' | indent(3, blank=true) }}",
    "{{ 'ǅungla'.capitalize() }}|{{ 'ﬁne'.title() }}|{{ 'σΣ'.lower() }}|{{ 'ΟΔΟΣ ΟΔΟΣ.'.lower() }}|{{ 'ß' | upper }}|{{ 'ǆx' | title }}|{{ 'İ'.lower() | length }}|{{ 'straße' | capitalize }}",
    "{{ range(3) }}|{{ range(1, 7, 2) }}|{{ range(4)[-1] }}|{{ 2 in range(3) }}|{{ range(0) | length }}|{{ range(2) is sequence }}|{{ range(3) | list }}",
    "{{ 'prefix-x'.removeprefix('prefix-') }}|{{ 'x.txt'.removesuffix('.txt') }}|{{ 'abc'.index('c') }}|{{ 'a=b=c'.partition('=') }}|{{ 'a=b=c'.rpartition('=') }}|{{ 'x'.rpartition('=') }}|{{ 'é'.isascii() }}|{{ 'x'.zfill is defined }}|{% if 'x'.zfill %}method{% endif %}",
    "{% set ns = namespace(stop=false) %}{% for i in [1, 2, 3, 4] if not ns.stop %}{{ i }}{% if i == 2 %}{% set ns.stop = true %}{% endif %}{% endfor %}",
    "{% set ns = namespace(stop=false) %}{% for i in [1, 2, 3] if not ns.stop %}{{ i }}{{ loop.last }}{% set ns.stop = true %}{% endfor %}",
    "{% set ns = namespace(stop=false) %}{% for i in [1, 2, 3] if not ns.stop %}{% set ns.stop = true %}{{ loop.length }}{{ loop.revindex }}{% endfor %}",
    "{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] if i > ns.n %}{{ i }}:{{ loop.nextitem }}{% set ns.n = 2 %};{% endfor %}",
    "{% for i in [1, 2, 3] if i > 1 %}{{ loop }}{% endfor %}",
    "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, x=4) }}|{{ m(0) }}|{% macro n(a) %}{{ varargs | length }}{% endmacro %}{{ n(1, 2) }}",
    "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}",
    "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, b=2) }}",
    "{{ 7.5 // 2 }}|{{ -7.5 // 2 }}|{{ 7.5 // -2 }}|{{ 0.0 // 3 }}|{{ -0.0 // 3 }}|{{ 1 // 0.1 }}|{{ 1 % 0.1 }}|{{ -1 % 0.1 }}|{{ 5.5 % -2 }}|{{ 0.0 % -3 }}|{{ 1e300 // 1e-300 }}|{{ 3 // -0.7 }}|{{ 2 ** 0.5 }}|{{ (-8) ** 2.0 }}|{{ 2 ** -2 }}",
    "{% macro ty(s) %}{% if s.type == 'array' %}List[{{ ty(s.items) }}]{% elif s.type is iterable %}Union[{% for t in s.type %}{{ t }}{% endfor %}]{% else %}{{ s.type }}{% endif %}{% endmacro %}{{ ty({'type': 'array', 'items': {'type': 'string'}}) }}|{{ ty({'type': ['a', 'b']}) }}|{{ ty({'type': 'x'}) }}",
    "{{- '{\\n'|indent(4, first=True) }}{{- '\"name\": '|indent(8, first=True) + 'x' }}{{-'a' + \": \"}}{% set args = {'b': [1, {'c': 'd'}]} %}{{ args|tojson(indent=4)|indent(8) }}",
    "{{ 2.675 | round(2) }}|{{ 2.5 | round }}|{{ 3.5 | round }}|{{ -0.4 | round }}|{{ 0.125 | round(2) }}|{{ 1234.5678 | round(-2) }}|{{ 7 | round }}|{{ 1250 | round(-2) }}|{{ 1350 | round(-2) }}|{{ -1250 | round(-2) }}|{{ 2.1 | round(0, 'ceil') }}|{{ 2.19 | round(1, 'floor') }}|{{ 5 | round(1, 'ceil') }}|{{ 1e-320 | round(320) }}|{{ 0.1 + 0.2 | round(1) }}|{{ 1.0000000000000002 | round(15) }}",
    "{{ 'x' | round }}",
    "{{ 1.5 | round(method='up') }}",
    "{{ none | last }}",
    "{{ 3 | reverse }}",
    "{{ [1] | select | last }}",
    "{{ ' a  b c'.rsplit(None, 1) }}|{{ 'a b  '.split(None, 1) }}|{{ 'Grüße, Ἀθῆναι'.upper() }}|{{ 'ÀÉÎ'.lower() }}",
]
SNIPPET_MESSAGES = CONVERSATIONS["multi_turn"]
SNIPPET_EXTRA = {"m": {"a": 1}, "meta": META}


def snippet_cases():
    cases = []
    for i, source in enumerate(SNIPPETS):
        case = {"name": f"snippet {i}", "template_source": source, "conversation": "multi_turn",
                "add_generation_prompt": True, "bos_token": None, "eos_token": None, "extra": "snippet",
                "now": "2025-03-09T17:04:05"}
        case.update(render(source, SNIPPET_MESSAGES, True, None, None, SNIPPET_EXTRA, case["now"]))
        cases.append(case)
    return cases


def fuzz_cases(count=400, seed=20241201):
    """Random mixes of text, whitespace and tags with every whitespace-control marker: the lexer's corner cases
    (trim_blocks, lstrip_blocks, -, +, comments, raw) checked against jinja2 itself."""
    import random
    rng = random.Random(seed)
    spaces = ["", " ", "  ", "\t", "\n", "\n\n", " \n", "\n  ", "\t\n\t", "\r\n", "\n \t "]
    def sign():
        return rng.choice(["", "", "-", "+"])
    def piece(depth):
        kind = rng.choice(["text", "text", "var", "if", "for", "comment", "raw", "set"] if depth < 3 else ["text", "var", "comment"])
        ws = rng.choice(spaces)
        if kind == "text":
            return ws + rng.choice(["a", "b c", "x{y", "}", "%", "#"]) + rng.choice(spaces)
        if kind == "var":
            return ws + "{{" + rng.choice(["", "-"]) + " " + rng.choice(["'v'", "n", "'w' ~ n"]) + " " + rng.choice(["", "-"]) + "}}" + rng.choice(spaces)
        if kind == "comment":
            return ws + "{#" + sign() + " note " + sign() + "#}" + rng.choice(spaces)
        if kind == "raw":
            return ws + "{%" + rng.choice(["", "-"]) + " raw " + rng.choice(["", "-"]) + "%}" + rng.choice(spaces) + "{{ raw }}" + rng.choice(spaces) + "{%" + sign() + " endraw " + sign() + "%}" + rng.choice(spaces)
        if kind == "set":
            return ws + "{%" + sign() + " set n = n + 1 " + sign() + "%}" + rng.choice(spaces)
        body = "".join(piece(depth + 1) for _ in range(rng.randint(0, 3)))
        head = "if n < 3" if kind == "if" else "for i in [1, 2]"
        end = "endif" if kind == "if" else "endfor"
        middle = ""
        if kind == "if" and rng.random() < 0.4:
            middle = rng.choice(spaces) + "{%" + sign() + " else " + sign() + "%}" + "".join(piece(depth + 1) for _ in range(rng.randint(0, 2)))
        return (ws + "{%" + sign() + " " + head + " " + sign() + "%}" + body + middle + rng.choice(spaces)
                + "{%" + sign() + " " + end + " " + sign() + "%}" + rng.choice(spaces))
    cases = []
    for i in range(count):
        source = "".join(piece(0) for _ in range(rng.randint(1, 5)))
        source = source.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r")
        case = {"name": f"fuzz {i}", "template_source": source, "conversation": "user_only", "add_generation_prompt": True,
                "bos_token": None, "eos_token": None, "extra": "fuzz", "now": NOW}
        case.update(render(source, CONVERSATIONS["user_only"], True, None, None, {"n": 1}, NOW))
        cases.append(case)
    return cases


def expression_cases(count=500, seed=7):
    """Random expressions over literals, operators, filters and tests: Python's value semantics (numbers,
    strings, lists, None, comparison, truthiness, str() of results and the errors' wording) checked against
    jinja2."""
    import random
    rng = random.Random(seed)
    atoms = ["0", "1", "2", "3", "7", "-4", "10", "0.5", "2.5", "-1.25", "1e3", "'a'", "'Ab c'", "''", "' x '",
             "'42'", "'3.5'", "none", "true", "false", "[]", "[1, 2]", "['b', 'a', 'c']", "[1, 'x', none]", "(1, 2)",
             "{'k': 1}", "n", "s", "l", "d", "undefined_name"]
    binops = ["+", "-", "*", "/", "//", "%", "~", "==", "!=", "<", "<=", ">", ">=", "and", "or", "in", "not in"]
    filters = ["length", "upper", "lower", "trim", "string", "list", "first", "last", "reverse | list", "join",
               "join('-')", "tojson", "int", "float", "abs", "default('D')", "default('D', true)", "capitalize",
               "title", "unique | list", "sort", "sum", "min", "max", "count", "replace('a', 'Z')", "d(0)",
               "select | list", "reject | list", "map('string') | list", "items | list", "dictsort", "indent(1)"]
    tests = ["defined", "none", "string", "number", "iterable", "sequence", "mapping", "even", "odd", "true",
             "false", "integer", "float", "boolean", "divisibleby 2", "in [1, 'a']", "eq 1", "lt 3", "upper", "lower"]
    def expr(depth):
        r = rng.random()
        if depth > 2 or r < 0.3:
            return rng.choice(atoms)
        if r < 0.55:
            return f"({expr(depth + 1)} {rng.choice(binops)} {expr(depth + 1)})"
        if r < 0.7:
            return f"({expr(depth + 1)} | {rng.choice(filters)})"
        if r < 0.78:
            return f"({expr(depth + 1)} is {rng.choice(['', 'not '])}{rng.choice(tests)})"
        if r < 0.84:
            return f"(not {expr(depth + 1)})"
        if r < 0.9:
            return f"({expr(depth + 1)} if {expr(depth + 1)} else {expr(depth + 1)})"
        if r < 0.95:
            target = rng.choice(["l", "s", "[3, 4, 5]", "'hello'"])
            return target + "[" + rng.choice(["0", "-1", "1:", "::-1", "5", ":2", "-2:"]) + "]"
        return f"(-{expr(depth + 1)})"
    cases = []
    extra = {"n": 3, "s": "Str", "l": [1, 2, 3], "d": {"b": 2, "a": 1}}
    for i in range(count):
        source = "{{ " + expr(0) + " }}"
        case = {"name": f"expression {i}", "template_source": source, "conversation": "user_only",
                "add_generation_prompt": True, "bos_token": None, "eos_token": None, "extra": "expressions",
                "now": NOW}
        case.update(render(source, CONVERSATIONS["user_only"], True, None, None, extra, NOW))
        cases.append(case)
    return cases


def scoping_cases(count=300, seed=99):
    """Random programs of set / if / for / macro / with / set-block / namespace statements that read and write a
    few variables: jinja2's scoping rules (what a loop iteration, a macro, a with block can see and change)
    checked against jinja2."""
    import random
    rng = random.Random(seed)
    names = ["a", "b", "c"]
    def value(in_loop):
        return rng.choice(["1", "2", "'s'", "a", "b", "ns.x", "(a ~ b)", "(ns.x ~ 'n')", "c", "i"]
                          + (["i", "loop.index", "loop.last"] if in_loop else []))
    def stmt(depth, in_loop, in_macro):
        kinds = ["set", "set", "print", "ns", "if"] + (["for", "with", "block", "macro"] if depth < 2 else [])
        if in_loop:
            kinds += ["break", "continue"]
        kind = rng.choice(kinds)
        if kind == "set":
            return "{% set " + rng.choice(names) + " = " + value(in_loop) + " %}"
        if kind == "print":
            return "[{{ " + rng.choice(names + ["ns.x", "i", "m is defined"] + (["loop.index"] if in_loop else [])) + " }}]"
        if kind == "ns":
            return "{% set ns.x = " + value(in_loop) + " %}"
        if kind == "if":
            body = "".join(stmt(depth + 1, in_loop, in_macro) for _ in range(rng.randint(1, 3)))
            other = "".join(stmt(depth + 1, in_loop, in_macro) for _ in range(rng.randint(0, 2)))
            return "{% if " + rng.choice(["a", "not b", "ns.x", "i is defined", "true", "c"]) + " %}" + body + "{% else %}" + other + "{% endif %}"
        if kind == "for":
            body = "".join(stmt(depth + 1, True, in_macro) for _ in range(rng.randint(1, 4)))
            return "{% for i in " + rng.choice(["[1, 2]", "[3]", "[]", "range(3)"]) + " %}" + body + "{% else %}E{% endfor %}"
        if kind == "with":
            body = "".join(stmt(depth + 1, in_loop, in_macro) for _ in range(rng.randint(1, 3)))
            return "{% with " + rng.choice(names) + " = " + value(in_loop) + " %}" + body + "{% endwith %}"
        if kind == "block":
            body = "".join(stmt(depth + 1, in_loop, in_macro) for _ in range(rng.randint(1, 2)))
            return "{% set " + rng.choice(names) + " %}<" + body + ">{% endset %}"
        if kind == "macro":
            body = "".join(stmt(depth + 1, False, True) for _ in range(rng.randint(1, 3)))
            return "{% macro m(a, b=2) %}" + body + "{% endmacro %}{{ m(" + value(in_loop) + ") }}"
        return "{% " + kind + " %}"
    cases = []
    for i in range(count):
        source = "{% set ns = namespace(x=0) %}{% set a = 1 %}" + "".join(stmt(0, False, False) for _ in range(rng.randint(2, 6))) + "|{{ a }}{{ b }}{{ c }}{{ ns.x }}"
        case = {"name": f"scoping {i}", "template_source": source, "now": NOW}
        case.update(render(source, CONVERSATIONS["user_only"], True, None, None, {}, NOW))
        cases.append(case)
    return cases


def main():
    extras = {"none": {}, "date_string": {"date_string": "26 Jul 2024"}, "tools": {"tools": TOOLS},
              "no_thinking": {"enable_thinking": False},
              "synthetic": {"tools": TOOLS, "meta": META}, "snippet": SNIPPET_EXTRA, "fuzz": {"n": 1},
              "expressions": {"n": 3, "s": "Str", "l": [1, 2, 3], "d": {"b": 2, "a": 1}}}
    cases = template_cases() + snippet_cases() + fuzz_cases() + expression_cases() + scoping_cases()
    # Keys equal to these defaults are left out of each case to keep the file small.
    defaults = {"conversation": "user_only", "add_generation_prompt": True, "bos_token": None, "eos_token": None,
                "extra": "none", "now": NOW}
    cases = [{k: v for k, v in case.items() if not (k in defaults and defaults[k] == v)} for case in cases]
    out = {"jinja2_version": jinja2.__version__, "defaults": defaults, "conversations": CONVERSATIONS,
           "extras": extras, "cases": cases}
    with open(os.path.join(HERE, "goldens.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=0)
        f.write("\n")
    errors = sum(1 for c in out["cases"] if "error" in c)
    print(f"{len(out['cases'])} cases ({errors} expected errors) written with jinja2 {jinja2.__version__}")


if __name__ == "__main__":
    main()
