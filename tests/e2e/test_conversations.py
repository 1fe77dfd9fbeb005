"""Conversations in Chromium: questions and answers, replies with and without
JavaScript, reactions through htmx, a corpus of XSS payloads that must stay inert,
and axe-core on every conversation page in two languages and two screen sizes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community, Membership, Role, Space
from cercle.conversations import actions
from cercle.conversations.models import Kind, Post, Topic
from cercle.membership import actions as community_actions
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in, log_out

PHONE = {"width": 375, "height": 740}


@dataclass
class Forum:
    """An open, public, external community with a coordinator, a moderator and two members."""

    community: Community
    space: Space
    claire: User  # coordinator
    maud: User  # moderator
    alice: User
    bob: User

    def url(self, path: str = "") -> str:
        return f"/c/{self.community.slug}/s/{self.space.slug}/{path}"


@pytest.fixture
def forum(db: None) -> Forum:
    claire = make_person("claire@example.org", "Claire Coord")
    cargo = community(claire, slug="cargo", name="Cargo Riders")
    people = {}
    for email, name in [
        ("maud@example.org", "Maud Moderator"),
        ("alice@example.org", "Alice Martin"),
        ("bob@example.org", "Bob Leroy"),
    ]:
        people[email] = make_person(email, name)
        community_actions.do_join(people[email], cargo)
    community_actions.do_change_role(
        claire, Membership.objects.get(person=people["maud@example.org"]), Role.MODERATOR
    )
    return Forum(
        community=cargo,
        space=cargo.spaces.get(slug="general"),
        claire=claire,
        maud=people["maud@example.org"],
        alice=people["alice@example.org"],
        bob=people["bob@example.org"],
    )


def logged_in(page: Page, base: str, person: User) -> None:
    """Open a session for `person` without the log-in form (the Q&A journey uses the form)."""
    client = Client()
    client.force_login(person)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}]
    )


# --- 1. A question, its answer, the accepted answer ------------------------------------------


def test_a_member_asks_another_answers_and_the_asker_accepts_the_answer(
    page: Page, live_server: Any, forum: Forum
) -> None:
    base = live_server.url

    log_in(page, base, "alice@example.org")
    page.goto(base + forum.url())
    page.get_by_role("link", name="Ask a question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New topic")
    expect(page.get_by_label("Question")).to_be_checked()
    page.get_by_label("Title").fill("How do I adjust disc brakes on a long tail?")
    page.get_by_label("Message").fill("The rear brake **squeals** when the bike is loaded.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How do I adjust disc brakes on a long tail?"
    )
    expect(page.locator(".topic-head")).to_contain_text("Question")
    expect(page.locator("#post-0 .post__body strong")).to_have_text("squeals")
    log_out(page)

    log_in(page, base, "bob@example.org")
    page.goto(base + forum.url())
    page.get_by_role("link", name="How do I adjust disc brakes on a long tail?").click()
    page.get_by_label("Your reply").fill("Centre the caliper, then bed in the pads.")
    page.get_by_role("button", name="Post my answer").click()
    expect(page.locator("#post-1 .post__body")).to_have_text(
        "Centre the caliper, then bed in the pads."
    )
    # Only the asker (or a moderator) accepts an answer.
    expect(page.get_by_role("button", name="Accept this answer")).to_have_count(0)
    page.get_by_label("Your reply").fill("Also check the rotor is true.")
    page.get_by_role("button", name="Post my answer").click()
    expect(page.locator("#post-2 .post__body")).to_have_text("Also check the rotor is true.")
    log_out(page)

    log_in(page, base, "alice@example.org")
    page.goto(base + forum.url())
    row = page.locator(".topic-row", has_text="disc brakes")
    expect(row.locator(".badge", has_text="Question")).to_be_visible()
    row.get_by_role("link").click()
    expect(page.get_by_role("button", name="Accept this answer")).to_have_count(2)
    page.locator("#post-1").get_by_role("button", name="Accept this answer").click()
    expect(page.locator(".messages")).to_contain_text("The answer is accepted")
    expect(page.locator(".topic-head")).to_contain_text("Solved")
    # The accepted answer comes right after the question, once: its place in the thread
    # points to it.
    articles = page.locator("article.post")
    expect(articles.nth(0)).to_have_id("post-0")
    expect(articles.nth(1)).to_have_id("post-1")
    expect(articles.nth(1)).to_contain_text("Accepted answer")
    expect(articles.nth(1).locator(".post__body")).to_have_text(
        "Centre the caliper, then bed in the pads."
    )
    expect(page.get_by_text("Centre the caliper, then bed in the pads.")).to_have_count(1)
    expect(page.locator("#post-1-in-thread")).to_be_visible()
    expect(page.locator("#post-2")).not_to_contain_text("Accepted answer")
    expect(page.get_by_role("button", name="Accept this answer")).to_have_count(1)
    expect(page.get_by_role("button", name="Reopen the question")).to_be_visible()

    page.get_by_role("link", name="General").first.click()
    row = page.locator(".topic-row", has_text="disc brakes")
    expect(row.locator(".badge", has_text="Solved")).to_be_visible()
    expect(row.locator(".badge", has_text="Question")).to_have_count(0)
    expect(row).to_contain_text("2 replies")
    topic = Topic.objects.get()
    assert topic.accepted_answer == Post.objects.get(topic=topic, position=1)
    assert topic.kind == Kind.QUESTION


# --- 3 and 4. Reactions and replies, with and without JavaScript ----------------------------


@pytest.fixture
def solved_question(forum: Forum) -> Topic:
    """Alice's question; Bob's answer (accepted, so shown under the question) and Maud's reply."""
    topic = actions.do_start_topic(
        forum.alice,
        forum.space,
        kind=Kind.QUESTION,
        title="Which tyres for winter?",
        body="Snow and salt every morning.",
    )
    answer = actions.do_reply(forum.bob, topic, body="Studded tyres, 2.2 inches wide.")
    actions.do_reply(forum.maud, topic, body="Lower the pressure a little too.")
    actions.do_accept_answer(forum.alice, topic, answer)
    return topic


def test_a_reaction_updates_in_place_with_htmx(
    page: Page, live_server: Any, forum: Forum, solved_question: Topic
) -> None:
    base = live_server.url
    logged_in(page, base, forum.alice)
    page.goto(base + solved_question.get_absolute_url())
    page.evaluate("() => { window.__marker = 1; }")
    # Bob's answer shows once, under the question: react through its picker.
    reactions = page.locator("#post-1 .reactions")
    expect(reactions.locator(".reaction__count")).to_have_count(0)
    reactions.locator(".reaction-picker summary").click()
    with page.expect_response(lambda response: "/react/thanks/" in response.url) as answer:
        reactions.get_by_role("button", name="Thanks").click()
    assert answer.value.request.headers.get("hx-request") == "true"
    thanks = page.locator("#react-1-thanks")
    expect(thanks).to_have_attribute("aria-pressed", "true")
    expect(thanks.locator(".reaction__count")).to_have_text("1")
    assert page.evaluate("() => window.__marker") == 1, "the page was reloaded"
    reactions.locator(".reaction-picker summary").click()
    reactions.get_by_role("button", name="Helpful").click()
    helpful = page.locator("#react-1-helpful")
    expect(helpful).to_have_attribute("aria-pressed", "true")
    expect(helpful.locator(".reaction__count")).to_have_text("1")
    # Clicking a used reaction again takes it back: it leaves the control.
    thanks.click()
    expect(thanks).to_have_count(0)
    assert page.evaluate("() => window.__marker") == 1, "the page was reloaded"
    page.reload()
    expect(page.locator("#react-1-thanks")).to_have_count(0)
    expect(page.locator("#react-1-helpful")).to_have_attribute("aria-pressed", "true")
    # One's own posts take no reaction buttons; others' reactions show as counts.
    expect(page.locator("#post-0 .reactions button")).to_have_count(0)


def test_reactions_and_replies_work_without_javascript(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    forum: Forum,
    solved_question: Topic,
) -> None:
    base = live_server.url
    page = new_page(browser, browser_errors, java_script_enabled=False)
    logged_in(page, base, forum.bob)
    page.goto(base + solved_question.get_absolute_url())
    # The picker is a <details>: it opens without JavaScript.
    page.locator("#post-0 .reaction-picker summary").click()
    page.locator("#post-0 .reactions").get_by_role("button", name="Helpful").click()
    page.wait_for_url("**/?post=0#post-0")
    helpful = page.locator("#react-0-helpful")
    expect(helpful).to_have_attribute("aria-pressed", "true")
    expect(helpful.locator(".reaction__count")).to_have_text("1")

    page.get_by_label("Your reply").fill("Mudguards help with the salt.")
    page.get_by_role("button", name="Post my answer").click()
    page.wait_for_url("**/?post=3#post-3")
    expect(page.locator("#post-3 .post__body")).to_have_text("Mudguards help with the salt.")

    # Quote a message from its menu: the reply box starts with the quotation.
    page.locator("#post-2 .post-menu summary").click()
    page.locator("#post-2").get_by_role("link", name="Quote").click()
    box = page.get_by_label("Your reply")
    expect(box).to_have_value("> **Maud Moderator**:\n> Lower the pressure a little too.\n\n")
    box.press("End")
    box.fill(box.input_value() + "And check it every week.")
    page.get_by_role("button", name="Post my answer").click()
    page.wait_for_url("**/?post=4#post-4")
    quoted = page.locator("#post-4")
    expect(quoted.locator(".post__reply-to")).to_have_text("In reply to Maud Moderator")
    expect(quoted.locator("blockquote")).to_contain_text("Lower the pressure a little too.")
    expect(quoted.locator(".post__body > p")).to_have_text("And check it every week.")
    assert Post.objects.get(topic=solved_question, position=4).reply_to == Post.objects.get(
        topic=solved_question, position=2
    )
    page.context.close()
    assert browser_errors.messages == []


def test_quote_prefills_the_reply_box_with_javascript(
    page: Page, live_server: Any, forum: Forum, solved_question: Topic
) -> None:
    base = live_server.url
    logged_in(page, base, forum.maud)
    page.goto(base + solved_question.get_absolute_url())
    page.locator("#post-1 .post-menu summary").click()
    page.locator("#post-1").get_by_role("link", name="Quote Bob Leroy").click()
    box = page.get_by_label("Your reply")
    expect(box).to_have_value("> **Bob Leroy**:\n> Studded tyres, 2.2 inches wide.\n\n")
    expect(page.locator("#reply")).to_be_in_viewport()
    box.fill(box.input_value() + "Agreed.")
    page.get_by_role("button", name="Post my answer").click()
    expect(page.locator("#post-3 .post__reply-to")).to_have_text("In reply to Bob Leroy")
    expect(page.locator("#post-3 blockquote")).to_contain_text("Studded tyres")


# --- 2. XSS: whatever members write stays text ------------------------------------------------

# Each payload would run `window.__xss=1` or `alert(1)` (a dialog) if it ever got through.
XSS_PAYLOADS = [
    # Script tags.
    "<script>window.__xss=1</script>",
    "<SCRIPT>window.__xss=1</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    '<script src="data:text/javascript,window.__xss=1"></script>',
    '<script type="text/javascript" defer async>alert(1)</script>',
    "<script>alert`1`</script>",
    '"><script>window.__xss=1</script>',
    "</textarea><script>window.__xss=1</script>",
    "</title><script>alert(1)</script>",
    # Event handlers.
    "<img src=x onerror=window.__xss=1>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    '<img src="x" onerror="alert(1)" />',
    "<img/src=x/onerror=window.__xss=1>",
    "<img src=x:alert(1) onerror=eval(src)>",
    '<img src=x alt="&quot; onmouseover=alert(1)" title="a\\" onerror=alert(1)>',
    "<svg onload=window.__xss=1>",
    "<svg/onload=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<body onload=window.__xss=1>",
    "<details open ontoggle=window.__xss=1><summary>sum</summary>det</details>",
    "<video src=x onerror=alert(1)></video>",
    '<video><source onerror="window.__xss=1"></video>',
    "<audio src=x onerror=alert(1)></audio>",
    "<iframe onload=window.__xss=1></iframe>",
    "<input autofocus onfocus=window.__xss=1>",
    "<input type=image src=x onerror=alert(1)>",
    "<select autofocus onfocus=alert(1)></select>",
    "<textarea autofocus onfocus=window.__xss=1></textarea>",
    '<div onmouseover="window.__xss=1">hover me</div>',
    "<a onmouseover=alert(1) href=#>hover link</a>",
    "<button onclick=window.__xss=1>click</button>",
    "<marquee onstart=alert(1)>marquee</marquee>",
    "<x onclick=alert(1)>custom element</x>",
    '<span class="mention" title="x" onmouseover="alert(1)">@fake</span>',
    "<isindex type=image src=1 onerror=alert(1)>",
    # javascript: and data: URLs in Markdown links, autolinks and references.
    "[js link](javascript:alert(1))",
    "[mixed case](JaVaScRiPt:window.__xss=1)",
    "[angle](<javascript:alert(1)>)",
    "[entity](javascript&#58;alert(1))",
    "[tab entity](jav&#x09;ascript:alert(1))",
    "[decimal](&#106;avascript:window.__xss=1)",
    "[data html](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[vbscript](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:window.__xss=1>",
    "<data:text/html,<script>alert(1)</script>>",
    "[reference][r1]\n\n[r1]: javascript:alert(1)",
    '[reference data][r2]\n\n[r2]: data:text/html,<script>alert(1)</script> "t"',
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "![x](data:text/html,<script>alert(1)</script>)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x][img]\n\n[img]: javascript:window.__xss=1 "t"',
    # Raw HTML links with obfuscated schemes.
    '<a href="javascript:alert(1)">raw js link</a>',
    '<a href="&#x6A;avascript:alert(1)">entity js link</a>',
    '<a href="jav&#x09;ascript:window.__xss=1">tab js link</a>',
    '<a href=" javascript:alert(1)">space js link</a>',
    '<a href="data:text/html,<script>alert(1)</script>">data link</a>',
    '<a href="https://example.org/" onclick="window.__xss=1">safe-looking link</a>',
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">svg link</text></a></svg>',
    # Attribute breaking in link titles.
    '[title break](http://example.org "\\" onmouseover=alert(1) x=\\"")',
    "[single quotes](http://example.org 'x' onmouseover='window.__xss=1')",
    '[title](https://example.org "t" onmouseover="alert(1)")',
    # SVG and CSS.
    "<svg><script>window.__xss=1</script></svg>",
    "<svg><script href=data:,alert(1) /></svg>",
    "<style>@import 'javascript:alert(1)';</style>",
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<p style="background:url(javascript:alert(1))">styled paragraph</p>',
    '<div style="width: expression(alert(1))">expression</div>',
    # Frames, objects, documents.
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<embed src="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<form><button formaction=javascript:window.__xss=1>go</button></form>",
    '<table><tr><td background="javascript:alert(1)">cell</td></tr></table>',
    # Mutation XSS, comments, CDATA.
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<!--<img src=x onerror=alert(1)>-->",
    "<!-- --!><img src=x onerror=window.__xss=1> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<![CDATA[><img src=x onerror=alert(1)>]]>",
    # Template literals, htmx attributes.
    "`${alert(1)}` and <img src=x onerror=`window.__xss=1`>",
    '<div hx-get="/" hx-trigger="load" hx-on:htmx:load="alert(1)">htmx</div>',
    '<img src=x hx-on:error="alert(1)" data-hx-on:error="window.__xss=1">',
    # Mentions next to payloads.
    "@bob-leroy<script>window.__xss=1</script>",
    "@bob-leroy<img src=x onerror=alert(1)> and @eve",
    # Tables and task lists.
    "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |",
    "- [x] <input onfocus=alert(1) autofocus> done",
]
# In code, payloads are shown as they were typed.
CODE_PAYLOADS = [
    "```html\n<script>window.__xss=1</script>\n<img src=x onerror=alert(1)>\n```",
    "Inline `<svg onload=alert(1)>` code",
    'Indented code:\n\n    <iframe srcdoc="<script>alert(1)</script>"></iframe>',
]
XSS_TITLES = [
    "<script>window.__xss=1</script> Brakes",
    '"><img src=x onerror=alert(1)> Wheels',
    "</title><svg onload=window.__xss=1> Frames",
]
# Payloads typed into the real reply form.
TYPED_PAYLOADS = [
    "<img src=x onerror=window.__xss=1> typed",
    "[typed js](javascript:alert(1))",
    "<svg><script>alert(1)</script></svg> typed",
    "@eve <details open ontoggle=alert(1)>typed</details>",
]

# Every post body is checked element by element: no script, no event handler, no
# htmx attribute, no style, and no URL other than http(s), mailto or the page itself.
INSPECT_PAGE = """() => {
  const problems = [];
  const urlAttributes = ["href", "src", "action", "formaction", "data", "xlink:href",
    "background", "poster", "srcset", "srcdoc", "content"];
  for (const element of document.querySelectorAll("*")) {
    const tag = element.tagName.toLowerCase();
    if (tag === "script" && !(element.getAttribute("src") || "").startsWith("/static/")) {
      problems.push("inline script: " + element.outerHTML.slice(0, 80));
    }
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on") || name.startsWith("data-hx") || name === "hx-on"
          || name.startsWith("hx-on") || name === "srcdoc" || name === "formaction") {
        problems.push(tag + " has " + name + "=" + attribute.value.slice(0, 40));
      }
      if (urlAttributes.includes(name)) {
        const value = attribute.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
        if (/^(javascript|vbscript|data:text\\/html)/.test(value) || /javascript:/.test(value)) {
          problems.push(tag + " " + name + "=" + attribute.value.slice(0, 40));
        }
      }
    }
  }
  const allowed = new Set(["a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "li", "ol", "p", "pre", "s",
    "strong", "sub", "span", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"]);
  const bodies = document.querySelectorAll(".post__body");
  for (const body of bodies) {
    if (/<script/i.test(body.innerHTML)) problems.push("<script in a post body");
    for (const element of body.querySelectorAll("*")) {
      const tag = element.tagName.toLowerCase();
      if (!allowed.has(tag)) problems.push("<" + tag + "> in a post body");
      if (element.hasAttribute("style") || element.hasAttribute("id")) {
        problems.push(tag + " with style or id in a post body");
      }
      for (const name of ["href", "src"]) {
        if (!element.hasAttribute(name)) continue;
        const url = new URL(element.getAttribute(name), document.baseURI);
        if (!["http:", "https:", "mailto:"].includes(url.protocol)) {
          problems.push(tag + " " + name + " with " + url.protocol);
        }
      }
    }
  }
  if (document.querySelector("base")) problems.push("a <base> element");
  if (document.querySelectorAll("meta[http-equiv]").length) problems.push("meta http-equiv");
  const xss = window.__xss === undefined ? null : String(window.__xss);
  return {problems: problems, bodies: bodies.length, xss: xss};
}"""

# Links are followed only if they would run script: ordinary links stay on the page.
HOLD_LINKS = """() => {
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (link && ["http:", "https:", "mailto:"].includes(link.protocol)) event.preventDefault();
  }, true);
}"""


class TolerantErrors(BrowserErrors):
    """Payloads like <img src=x> leave a harmless image that fails to load (404)."""

    def _on_response(self, response: Any) -> None:
        if response.request.resource_type == "image" and response.status == 404:
            return
        super()._on_response(response)


def poke_every_link_and_image(page: Page) -> int:
    """Hover, focus and click every link and image of the posts (and their titles)."""
    page.evaluate(HOLD_LINKS)
    targets = page.locator(".post__body a, .post__body img, .post__body [title]")
    count = targets.count()
    for index in range(count):
        target = targets.nth(index)
        if target.is_visible():
            target.hover()
            target.focus()
            target.click()
        else:
            target.evaluate(
                """(element) => {
                  for (const type of ["mouseover", "mouseenter", "focus"]) {
                    element.dispatchEvent(new Event(type, {bubbles: true}));
                  }
                  element.focus(); element.click();
                }"""
            )
    return count


def assert_inert(page: Page, dialogs: list[str], *, bodies: int | None = None) -> None:
    page.wait_for_timeout(100)  # let late image errors and timers fire
    report = page.evaluate(INSPECT_PAGE)
    assert dialogs == [], f"{page.url} opened dialogs: {dialogs}"
    assert report["xss"] is None, f"{page.url} ran a payload: window.__xss={report['xss']}"
    assert report["problems"] == [], f"{page.url}: {report['problems']}"
    if bodies is not None:
        assert report["bodies"] == bodies, f"{page.url} shows {report['bodies']} posts"


def test_xss_payloads_stay_inert_everywhere_they_are_shown(
    browser: Browser, live_server: Any, forum: Forum, settings: Any, immediate_tasks: None
) -> None:
    settings.POSTS_PER_PAGE = 100
    base = live_server.url
    eve = make_person("eve@example.org", 'Eve "><img src=x onerror=window.__xss=1>')
    eve.handle = "eve"
    eve.save()
    community_actions.do_join(eve, forum.community)
    authors = [forum.alice, forum.bob, eve]
    corpus = XSS_PAYLOADS + CODE_PAYLOADS
    assert len(XSS_PAYLOADS) >= 50
    topics = []
    for number, title in enumerate(XSS_TITLES):
        topics.append(
            actions.do_start_topic(
                authors[number],
                forum.space,
                kind=Kind.QUESTION if number == 0 else Kind.DISCUSSION,
                title=title,
                body="\n\n".join(corpus[number::7]),
            )
        )
    for number, payload in enumerate(corpus):
        topic = topics[number % len(topics)]
        actions.do_reply(authors[number // 3 % len(authors)], topic, body=payload)
    question = topics[0]
    answer = question.posts.get(position=1)
    actions.do_accept_answer(authors[0], question, answer)
    opening = question.posts.get(position=0)
    actions.do_edit_post(
        authors[0],
        opening,
        body=opening.body + "\n\n<img src=x onerror=alert(1)> edited",
        title="<img src=x onerror=window.__xss=1> Brakes, edited",
    )
    flagged = topics[1].posts.get(position=1)
    actions.do_flag(
        forum.alice if flagged.author != forum.alice else forum.bob,
        flagged,
        reason="spam",
        note="<script>window.__xss=1</script>",
    )

    errors = TolerantErrors()
    page = new_page(browser, errors)
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    logged_in(page, base, forum.maud)

    # A few payloads go through the real reply form.
    page.goto(base + topics[2].get_absolute_url())
    for number, payload in enumerate(TYPED_PAYLOADS, start=topics[2].last_position + 1):
        page.get_by_label("Your reply").fill(payload)
        page.get_by_role("button", name="Post my reply").click()
        # htmx swaps the page's main content in place: no navigation happens.
        expect(page.locator(f"#post-{number}")).to_be_attached()
    last = topics[2].posts.order_by("position").last()
    assert last is not None
    assert last.body == TYPED_PAYLOADS[-1]

    checked, code, mentions = 0, [], []
    for topic in topics:
        topic.refresh_from_db()
        page.goto(base + topic.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_have_text(topic.title)
        # Every post once (the accepted answer under the question, not again in its place).
        shown = topic.last_position + 1
        assert_inert(page, dialogs, bodies=shown)
        checked += poke_every_link_and_image(page)
        assert_inert(page, dialogs)
        code += page.locator(".post__body code").all_text_contents()
        mentions += page.locator(".post__body .mention").all_text_contents()
    assert checked > 10
    # Code keeps the payloads as text; mentions next to payloads still work.
    for typed in ["<script>window.__xss=1</script>", "<svg onload=alert(1)>", "<iframe srcdoc="]:
        assert any(typed in text for text in code), f"{typed} is not shown as code"
    assert {"@bob-leroy", "@eve"} <= set(mentions)

    # Titles in the list, the text in the edit form, the history, the flag and moderation pages.
    pages = [
        forum.url(),
        forum.url("?list=top"),
        f"{question.get_absolute_url()}p/0/edit/",
        f"{question.get_absolute_url()}p/0/history/",
        f"{topics[1].get_absolute_url()}p/2/edit/",
        f"{topics[1].get_absolute_url()}p/3/flag/",
        f"/c/{forum.community.slug}/manage/moderation/",
    ]
    for path in pages:
        page.goto(base + path)
        assert_inert(page, dialogs)
        page.evaluate(HOLD_LINKS)
        for link in page.locator("main a").all()[:20]:
            if link.is_visible():
                link.hover()
    page.goto(base + pages[0])
    for title in [question.title, *XSS_TITLES[1:]]:
        expect(page.get_by_role("link", name=title)).to_be_visible()
    page.goto(base + pages[2])
    expect(page.get_by_label("Title")).to_have_value(question.title)
    expect(page.get_by_label("Message")).to_have_value(question.posts.get(position=0).body)
    page.goto(base + pages[3])
    expect(page.locator(".revision__body").first).to_contain_text(
        "<img src=x onerror=alert(1)> edited"
    )
    expect(page.locator(".revisions")).to_contain_text(question.title)
    page.goto(base + pages[-1])
    expect(page.locator("main")).to_contain_text("Spam or advertising: <script>window.__xss=1")
    page.context.close()
    assert errors.messages == [], f"the browser reported errors: {errors.messages}"


# --- 5. Accessibility and layout of every conversation page -----------------------------------

LONG_LINE = 'def a_function_with_a_very_long_line(): return "' + "." * 90 + '"'
LONG_ROW = (
    "Longtail-extended | 1,800 millimetres | 200 kilograms | Hydraulic discs | Hub, 8 speeds"
    " | Mid-drive | 2 batteries of 500 Wh | 5,400 euros | 32 kilograms | Ocean blue"
)
LONG_POST = f"""Long words must wrap: Pneumonoultramicroscopicsilicovolcanoconiosis\
Pneumonoultramicroscopicsilicovolcanoconiosis and so must long addresses:
https://example.org/a/very/long/path/that/never/breaks/anywhere/because/it/is/one/token?q=1&and=more

```python
{LONG_LINE}
```

| Frame | Wheelbase | Load | Brakes | Gears | Motor | Battery | Price | Weight | Colour |
|-------|-----------|------|--------|-------|-------|---------|-------|--------|--------|
| {LONG_ROW} |

`inline_code_that_is_also_very_long_and_never_breaks_because_it_is_a_single_identifier`
"""


@dataclass
class Pages:
    visitor: list[str]
    member: list[str]  # Bob
    asker: list[str]  # Alice
    moderator: list[str]  # Maud
    coordinator: list[str]  # Claire


@pytest.fixture
def conversation_pages(forum: Forum) -> Pages:
    brakes = actions.do_create_tag(
        forum.claire, forum.community, name="Brakes", description="Discs"
    )
    actions.do_create_tag(forum.claire, forum.community, name="Batteries")
    solved = actions.do_start_topic(
        forum.alice,
        forum.space,
        kind=Kind.QUESTION,
        title="Which tyres for winter on a Supercalifragilisticexpialidociouslongtailbike?",
        body="Snow and salt every morning.",
        tags=[brakes],
    )
    answer = actions.do_reply(forum.bob, solved, body=LONG_POST)
    actions.do_reply(forum.maud, solved, body="Lower the pressure a little, @bob-leroy.")
    actions.do_accept_answer(forum.alice, solved, answer)
    actions.do_toggle_reaction(forum.alice, answer, "thanks")
    actions.do_edit_post(forum.bob, answer, body=LONG_POST + "\nEdited: ride slowly.")
    open_question = actions.do_start_topic(
        forum.alice, forum.space, kind=Kind.QUESTION, title="Chain or belt?", body="Which lasts?"
    )
    actions.do_reply(forum.bob, open_question, body="A belt, if the frame opens.")
    actions.do_reply(forum.maud, open_question, body="A chain is cheaper to replace.")
    discussion = actions.do_start_topic(
        forum.bob, forum.space, kind=Kind.DISCUSSION, title="Saturday ride", body="Who comes?"
    )
    rude = actions.do_reply(forum.alice, discussion, body="Buy cheap pills at spam.example!")
    hidden = actions.do_reply(forum.alice, discussion, body="Another advert.")
    actions.do_flag(forum.bob, rude, reason="spam", note="An advert.")
    actions.do_hide_post(forum.maud, hidden, reason="Advertising")
    actions.do_set_pinned(forum.maud, discussion, True)
    community_actions.do_create_space(forum.claire, forum.community, name="Workshop")
    slug = forum.community.slug
    return Pages(
        visitor=[
            forum.url(),
            forum.url("?list=new"),
            forum.url("?list=unanswered"),
            forum.url("?list=top"),
            solved.get_absolute_url(),
        ],
        member=[
            forum.url(),
            forum.url("new/"),
            forum.url("new/?kind=question"),
            solved.get_absolute_url(),
            discussion.get_absolute_url(),
            f"{solved.get_absolute_url()}p/1/edit/",
            f"{solved.get_absolute_url()}p/1/history/",
            f"{discussion.get_absolute_url()}p/0/edit/",
            f"{solved.get_absolute_url()}p/2/flag/",
        ],
        asker=[open_question.get_absolute_url(), solved.get_absolute_url()],
        moderator=[
            discussion.get_absolute_url(),
            solved.get_absolute_url(),
            f"/c/{slug}/manage/moderation/",
        ],
        coordinator=[f"/c/{slug}/manage/tags/", f"/c/{slug}/manage/moderation/log/"],
    )


def check_page(page: Page) -> None:
    expect(page.locator("main#main")).to_be_visible()
    assert_accessible(page)
    # Nothing sticks out sideways: no horizontal scrolling on a phone either.
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_conversation_pages_have_no_accessibility_violations(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    forum: Forum,
    conversation_pages: Pages,
    locale: str,
    viewport: dict[str, int] | None,
) -> None:
    options: dict[str, Any] = {"locale": locale}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    base = live_server.url
    language = locale[:2]

    for path in conversation_pages.visitor:
        page.goto(base + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        check_page(page)
    expect(page.locator(".post--accepted")).to_be_visible()

    logged_in(page, base, forum.bob)
    for path in conversation_pages.member:
        page.goto(base + path)
        check_page(page)
    # The new topic form, after a submission with errors.
    page.goto(base + forum.url("new/"))
    page.locator("form[data-composer] button[type=submit]:not([name=preview])").click()
    expect(page.locator(".field__errors").first).to_be_visible()
    check_page(page)

    logged_in(page, base, forum.alice)
    for path in conversation_pages.asker:
        page.goto(base + path)
        check_page(page)
        # The asker accepts an answer of an open question, or reopens a solved one.
        expect(
            page.locator("form[action$='/accept/'], form[action$='/unaccept/']").first
        ).to_be_visible()

    logged_in(page, base, forum.maud)
    for path in conversation_pages.moderator:
        page.goto(base + path)
        if "/t/" in path:
            expect(page.locator(".moderation-tools")).to_be_visible()
            page.locator(".post-menu summary").first.click()
            expect(page.locator(".post-moderation").first).to_be_visible()
        else:
            expect(page.locator("main blockquote")).to_contain_text("Buy cheap pills")
        check_page(page)

    logged_in(page, base, forum.claire)
    for path in conversation_pages.coordinator:
        page.goto(base + path)
        expect(page.locator("main")).to_contain_text("#brakes" if "tags" in path else "Advertising")
        check_page(page)
    page.context.close()
    assert browser_errors.messages == []


# --- 6. Posting, accepting and mentioning with JavaScript -------------------------------------


def test_posting_and_accepting_happen_in_place_and_mentions_are_suggested(
    page: Page, live_server: Any, forum: Forum
) -> None:
    base = live_server.url
    question = actions.do_start_topic(
        forum.alice, forum.space, kind=Kind.QUESTION, title="Chain or belt?", body="For winter."
    )
    logged_in(page, base, forum.bob)
    page.goto(base + question.get_absolute_url())
    page.evaluate("() => { window.__marker = 1; }")
    box = page.get_by_role("textbox", name="Your reply")
    box.fill("A belt, ask @ali")
    suggestion = page.get_by_role("option", name="Alice Martin (@alice-martin)")
    expect(suggestion).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value("A belt, ask @alice-martin ")
    box.press("End")
    box.type("about hers.")
    page.get_by_role("button", name="Post my answer").click()
    answer = page.locator("#post-1")
    expect(answer.locator(".mention")).to_have_text("@alice-martin")
    expect(page.locator(".messages")).to_contain_text("Your reply is posted.")
    assert page.evaluate("() => window.__marker") == 1, "the page was reloaded"
    assert_accessible(page)

    logged_in(page, base, forum.alice)
    page.goto(base + question.get_absolute_url())
    page.evaluate("() => { window.__marker = 1; }")
    page.get_by_role("button", name="Accept this answer").click()
    expect(page.locator(".topic-head")).to_contain_text("Solved")
    expect(page.locator(".accepted #post-1")).to_contain_text("A belt")
    assert page.evaluate("() => window.__marker") == 1, "the page was reloaded"
    question.refresh_from_db()
    assert question.accepted_answer is not None
