"""Chat markup: a message's sanitised HTML as Slack's mrkdwn or as the Markdown Discord and
Teams show, with what chat cannot show (tables, images) turned into plain words."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .render import markdown_to_html


class _ChatMarkup(HTMLParser):
    """Sanitised message HTML to Slack mrkdwn or to plain Markdown (Discord, Teams).

    Starting from the HTML the page shows means raw HTML in content is already gone, and every
    text run can be escaped for the target, so a message never pings @channel or breaks a link.
    """

    def __init__(self, slack: bool):
        super().__init__(convert_charrefs=True)
        self.slack = slack
        self.marks = ({"strong": "*", "b": "*", "em": "_", "i": "_", "del": "~", "s": "~"}
                      if slack else
                      {"strong": "**", "b": "**", "em": "*", "i": "*", "del": "~~", "s": "~~"})
        self.out: list[str] = []
        self.quotes: list[list[str]] = []  # output saved while a blockquote collects its own
        self.lists: list[list[int]] = []  # per open list: [ordered, counter]
        self.links: list[str] = []
        self.pre = False
        self.code = False  # inside `code` or a fenced block: Markdown is literal there

    def text(self, html: str) -> str:
        self.feed(html)
        self.close()
        return self.tidy(self.out)

    @staticmethod
    def tidy(parts: list[str]) -> str:
        joined = "".join(parts)
        return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", joined)).strip()

    def block(self) -> None:
        self.out.append("\n\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "div", "table", "pre") or re.fullmatch(r"h[1-6]", tag):
            self.block()
        if tag in self.marks:
            self.out.append(self.marks[tag])
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append(self.marks["strong"])
        elif tag == "br":
            self.out.append("\n")
        elif tag == "code" and not self.pre:
            self.code = True
            self.out.append("`")
        elif tag == "pre":
            self.pre = self.code = True
            self.out.append("```\n")
        elif tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            self.li()
        elif tag == "blockquote":
            self.quotes.append(self.out)
            self.out = []
        elif tag == "a":
            self.link_start(dict(attrs).get("href") or "")
        elif tag == "tr":
            self.out.append("\n")
        elif tag == "input":  # a task list item's checkbox (the only input the sanitiser keeps)
            self.out.append("[x]" if "checked" in dict(attrs) else "[ ]")

    def li(self) -> None:
        depth = max(len(self.lists) - 1, 0)
        ordered = self.lists[-1] if self.lists else [False, 0]
        ordered[1] += 1
        bullet = f"{ordered[1]}." if ordered[0] else ("•" if self.slack else "-")
        self.out.append(f"\n{'    ' * depth}{bullet} ")

    def link_start(self, href: str) -> None:
        self.links.append(href)
        if href:
            self.out.append("<" + self.escape(href) + "|" if self.slack else "[")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.marks:
            self.out.append(self.marks[tag])
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append(self.marks["strong"])
            self.block()
        elif tag == "code" and not self.pre:
            self.code = False
            self.out.append("`")
        elif tag == "pre":
            self.pre = self.code = False
            if self.out:
                self.out[-1] = self.out[-1].rstrip("\n")
            self.out.append("\n```")
            self.block()
        elif tag == "blockquote" and self.quotes:
            quoted = self.tidy(self.out)
            self.out = self.quotes.pop()
            self.block()
            self.out.append("\n".join("> " + line for line in quoted.splitlines()))
            self.block()
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self.block()
        elif tag == "p":
            self.block()
        elif tag in ("td", "th"):
            self.out.append(" | ")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.out.append(">" if self.slack else "](" + href.replace(")", "%29")
                                .replace(" ", "%20") + ")")

    def handle_data(self, data: str) -> None:
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
            if not self.out or self.out[-1].endswith("\n"):
                data = data.lstrip()
        self.out.append(self.escape(data) if self.slack or not self.code else data)

    def escape(self, text: str) -> str:
        if self.slack:  # the three characters Slack asks to escape; the rest is literal
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return re.sub(r"([\\*_~`|\[\]<>#])", r"\\\1", text)


def slack_mrkdwn(markdown: str) -> str:
    return _ChatMarkup(slack=True).text(markdown_to_html(markdown))


def chat_markdown_text(text: str) -> str:
    """Plain text (a title) escaped for Markdown chat, so it never becomes a link."""
    return _ChatMarkup(slack=False).escape(text)


def chat_markdown(markdown: str) -> str:
    """Markdown for Discord and Teams, rebuilt from the sanitised HTML."""
    return _ChatMarkup(slack=False).text(markdown_to_html(markdown))


