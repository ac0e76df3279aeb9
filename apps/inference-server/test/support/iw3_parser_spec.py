"""Reads iw3's command line out of a `utils.py` without running it (no torch needed).

Usage: python3 iw3_parser_spec.py <path to iw3/utils.py>
Prints JSON: {"flags": {"--name": {"line", "aliases", "default", "choices", "action", "type",
"const", "nargs"}}, "suffixes": {"FULL_SBS_SUFFIX": "_LRF_Full_SBS", ...}}. A value that is not a
literal in the source (e.g. `choices=MAPPER_ALL`) is given as the string "<expr>".
"""
import ast
import json
import sys

NOT_LITERAL = "<expr>"


def literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError):
        return NOT_LITERAL


def flags_of(function):
    flags = {}
    for node in ast.walk(function):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_argument"):
            continue
        names = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
        long_names = [name for name in names if name.startswith("--")]
        if not long_names:
            continue
        spec = {"line": node.lineno, "aliases": names, "default": None, "choices": None,
                "action": None, "type": None, "const": None, "nargs": None}
        for keyword in node.keywords:
            if keyword.arg == "type":
                spec["type"] = ast.unparse(keyword.value)
            elif keyword.arg in spec:
                spec[keyword.arg] = literal(keyword.value)
        if spec["action"] == "store_true" and spec["default"] is None:
            spec["default"] = False  # argparse's default for store_true
        flags[long_names[0]] = spec
    return flags


def main(source_path):
    with open(source_path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=source_path)
    create_parser = next(node for node in tree.body
                         if isinstance(node, ast.FunctionDef) and node.name == "create_parser")
    suffixes = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id.endswith("_SUFFIX")):
            suffixes[node.targets[0].id] = literal(node.value)
    json.dump({"flags": flags_of(create_parser), "suffixes": suffixes}, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
