"""docs/_ext/teachmp_docs.py: the pieces that can be tested without a build.

The whole site is checked by tools/docs_check.py (in Chromium) after
``make docs``; these tests pin the two fixes it relies on.
"""

import glob
import os
import sys

from docutils import nodes
from sphinx import addnodes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "docs", "_ext"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import examples_harness  # noqa: E402
import teachmp_docs  # noqa: E402


def test_signature_pieces_are_not_marked_as_translation_placeholders():
    # Sphinx's RemoveTranslatableInline moves every inline node that carries
    # "translatable" to the end of its parent: "BaseProcess(=groupNone)".
    name = addnodes.desc_sig_name("group", "group")
    param = addnodes.desc_parameter("", "", name,
                                    addnodes.desc_sig_operator("=", "="),
                                    nodes.inline("None", "None"))
    signature = addnodes.desc_signature("", "", param)
    for node in signature.findall(nodes.TextElement):
        teachmp_docs._mark_untranslatable(node)
    assert signature["translatable"] is False
    inline = [n for n in signature.findall(nodes.inline)]
    assert len(inline) == 3
    assert all("translatable" not in n for n in inline)
    assert param.astext() == "group=None"


def _examples_with_directives():
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tutorials", "*", "examples", "*.py"))):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if "# example:" in text:
            found.append((path, text))
    return found


def test_harness_lines_are_stripped_for_readers_and_kept_for_the_harness():
    examples = _examples_with_directives()
    assert len(examples) >= 10  # the chapters use them; the test must see some
    for path, text in examples:
        shown = teachmp_docs.HARNESS_LINE.sub("", text)
        assert "# example:" not in shown, path
        # Only the directive lines went: every other line is still there, in order.
        kept = [line for line in text.splitlines(keepends=True)
                if not examples_harness._DIRECTIVE.match(line)]
        assert shown == "".join(kept), path
        # ... and the file itself still tells the harness what to do.
        examples_harness.read_options(__import__("pathlib").Path(path))


def test_the_harness_pattern_matches_what_the_harness_reads():
    for line in ('# example: skip "reason"\n', "#example: erase (?<=at ).*\n",
                 "   # example: unordered\n", "# example: timeout 120"):
        assert teachmp_docs.HARNESS_LINE.fullmatch(line), line
        assert examples_harness._DIRECTIVE.match(line), line
    for line in ("# an example: of prose\n", "print('# example: x')\n"):
        assert not teachmp_docs.HARNESS_LINE.fullmatch(line), line
