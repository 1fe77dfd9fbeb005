from __future__ import annotations

from cercle.richtext import render_markdown


def test_markdown_gets_tables_task_lists_strikethrough_and_autolinks() -> None:
    html = render_markdown(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~ see https://example.org"
    )
    assert "<table>" in html
    assert '<input checked="checked" disabled="disabled" type="checkbox">' in html
    assert "<s>old</s>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">' in html


def test_markdown_cannot_carry_scripts_styles_or_dangerous_links() -> None:
    html = render_markdown(
        '<script>alert(1)</script><img src=x onerror="alert(2)">\n\n'
        "<style>body{}</style>\n\n[click](javascript:alert(3))\n\n"
        '<a href="data:text/html,x">d</a> <a href="JaVaScRiPt:alert(4)">e</a>\n\n'
        '<iframe src="https://evil.example"></iframe>'
    )
    for forbidden in ["<script", "onerror", "<style", 'href="javascript', "data:text", "<iframe"]:
        assert forbidden not in html.lower()


def test_code_blocks_are_escaped() -> None:
    html = render_markdown("```\n<b>not bold</b>\n```")
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html
