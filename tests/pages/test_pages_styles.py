"""The pages' styles: layers loaded in order (tokens, base, components, the page's own, print), and
colours written only in tokens.css — never in another style sheet, nor set by a script."""
from __future__ import annotations

import re

import pytest
from pages_sources import CSS, TEMPLATES, scripts, without_comments

LAYERS = ("tokens", "base", "components", "page", "print")
PAGES = ("index", "seat", "chair", "clerk", "display", "verify")
ALLOWED = {"transparent", "currentcolor", "inherit"}
#: CSS named colours (CSS Color Module Level 4), and the system colours that are colours too.
NAMED = frozenset("""
aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown burlywood
cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod darkgray
darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen
darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue
firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray green greenyellow grey honeydew
hotpink indianred indigo ivory khaki lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan
lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray
lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine mediumblue
mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise mediumvioletred
midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid
palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum powderblue purple
rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue
slateblue slategray slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white
whitesmoke yellow yellowgreen canvas canvastext linktext visitedtext activetext buttonface buttontext buttonborder
field fieldtext highlight highlighttext mark marktext graytext accentcolor accentcolortext
""".split())  # noqa: SIM905 (words to read, not code)
FUNCTION = re.compile(r"\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\(", re.IGNORECASE)
HEX = re.compile(r"#[0-9a-f]{3,8}\b", re.IGNORECASE)


def sheets():
    return {p: p.read_text(encoding="utf-8") for p in sorted(CSS.rglob("*.css"))}


def values(css: str) -> list[str]:
    """The value of every declaration (what follows ``property:``), comments aside."""
    return [v for _prop, v in re.findall(r"([\w-]+)\s*:\s*([^;{}]+)", re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL))]


def colour_literals(text: str) -> list[str]:
    found = HEX.findall(text) + [m.group(0) for m in FUNCTION.finditer(text)]
    words = re.findall(r"(?<![\w-])([a-z]+)(?![\w-])", re.sub(r"var\(--[\w-]+\)", "", text.lower()))
    return found + [w for w in words if w in NAMED and w not in ALLOWED]


def test_colours_are_written_only_in_the_tokens() -> None:
    offenders = {}
    for path, css in sheets().items():
        if path.name == "tokens.css":
            continue
        found = [c for v in values(css) for c in colour_literals(v)]
        if found:
            offenders[path.relative_to(CSS).as_posix()] = found
    assert offenders == {}


def test_the_colour_check_sees_every_kind_of_colour() -> None:
    css = ".a { color: #fff; background: rgba(0, 0, 0, .5); border-color: Red; outline-color: hsl(0 0% 0%); }"
    assert len([c for v in values(css) for c in colour_literals(v)]) == 4
    clean = ".a { white-space: nowrap; color: var(--red); background: transparent; border-color: currentColor; }"
    assert [c for v in values(clean) for c in colour_literals(v)] == []


def test_the_tokens_define_every_custom_property_the_layers_use() -> None:
    tokens = sheets()[CSS / "tokens.css"]
    defined = set(re.findall(r"(--[\w-]+)\s*:", tokens))
    used = {name for css in sheets().values() for name in re.findall(r"var\((--[\w-]+)", css)}
    assert used - defined == set()
    assert colour_literals(" ".join(values(tokens))), "the tokens hold the colours"


STYLE = re.compile(r"style\s*:\s*(?:`([^`]*)`|\"([^\"]*)\"|'([^']*)')|\.style\.[\w]+\s*=\s*([^;\n]+)"
                   r"|setProperty\(([^)]*)\)|setAttribute\(\s*[\"']style[\"']\s*,([^)]*)\)")
STRING = re.compile(r"\"([^\"\n]*)\"|'([^'\n]*)'|`([^`]*)`")


def script_colours(js: str) -> list[str]:
    """Colours a script sets in a style, or writes as a string of its own (#1f3a5f, rgb(…))."""
    code = without_comments(js)
    in_styles = [c for groups in STYLE.findall(code) for s in groups if s for c in colour_literals(s)]
    strings = [s for groups in STRING.findall(code) for s in groups if s]
    return in_styles + [s for s in strings if re.fullmatch(r"#[0-9a-f]{3,8}", s, re.IGNORECASE) or FUNCTION.search(s)]


def test_scripts_set_no_colour() -> None:
    offenders = {path.name: found for path, js in scripts().items() if (found := script_colours(js))}
    assert offenders == {}


def test_the_script_check_sees_colours() -> None:
    assert script_colours('h("div", { style: `color:red;width:${w}%` })') == ["red"]
    assert script_colours('el.style.background = "#fff";') == ["#fff", "#fff"]
    assert script_colours('const c = "rgba(0,0,0,.2)";') == ["rgba(0,0,0,.2)"]
    assert script_colours('h("div", { class: "fill-red", style: `width:${pct}%`, href: "#live" })') == []


def test_each_file_is_its_layer() -> None:
    tokens = sheets()[CSS / "tokens.css"]
    assert re.search(r"@layer\s+" + r",\s*".join(LAYERS) + r"\s*;", tokens), "tokens.css declares the layer order"
    expect = {"tokens.css": "tokens", "base.css": "base", "components.css": "components", "print.css": "print"}
    for path, css in sheets().items():
        layer = expect.get(path.name, "page")
        blocks = re.findall(r"@layer\s+([\w-]+)\s*\{", css)
        assert blocks == [layer], path.name
        outside = re.sub(r"@layer[^{;]*;|@page\s*\{[^}]*\}", "", css.split(f"@layer {layer} {{")[0])
        assert re.sub(r"/\*.*?\*/", "", outside, flags=re.DOTALL).strip() == "", f"{path.name}: rules outside its layer"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_the_layers_in_order(client, page) -> None:
    html = client.get("/" if page == "index" else f"/{page}").get_data(as_text=True)
    links = re.findall(r'<link rel="stylesheet" href="/static/ui/css/([\w/]+)\.css">', html)
    assert links == ["tokens", "base", "components", f"pages/{page}", "print"]
    assert (CSS / "pages" / f"{page}.css").exists()
    assert (TEMPLATES / f"{page}.html").exists()
