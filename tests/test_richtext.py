from __future__ import annotations

from markdown_it import MarkdownIt

from cercle.richtext import member_parser, render_markdown
from cercle.wiki.rendering import render_article, wiki_parser


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


# --- One parser per purpose, never changed after it is built ---------------------------------


def _rule_names(parser: MarkdownIt) -> dict[str, list[str]]:
    return {
        "core": parser.core.ruler.get_all_rules(),
        "block": parser.block.ruler.get_all_rules(),
        "inline": parser.inline.ruler.get_all_rules(),
        "inline2": parser.inline.ruler2.get_all_rules(),
    }


def test_double_brackets_in_a_reply_stay_text_after_a_wiki_article_is_rendered() -> None:
    article = render_article("See [[Tyre pressure]].")
    assert 'data-wiki-title="Tyre pressure"' in article.html
    html = render_markdown("See [[x]] and [[Tyre pressure|the article]].")
    assert html == "<p>See [[x]] and [[Tyre pressure|the article]].</p>\n"


def test_a_thousand_renders_leave_both_parsers_unchanged() -> None:
    render_markdown("warm up @alice", {"alice": "Alice"})
    render_article("warm up [[x]]")
    before = (_rule_names(member_parser()), _rule_names(wiki_parser()))
    for number in range(500):
        render_markdown(f"reply {number} [[x]] @alice", {"alice": "Alice"})
        render_article(f"article {number} [[x]]")
    assert (_rule_names(member_parser()), _rule_names(wiki_parser())) == before
    assert before[0]["core"].count("mentions") == 1
    assert before[1]["inline"].count("wiki_link") == 1
    assert "wiki_link" not in before[0]["inline"]
