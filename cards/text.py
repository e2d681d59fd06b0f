"""User text made inert for the markdown Teams renders in card text and chat messages."""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"  # invisible, not whitespace: it only keeps two characters from forming syntax

# Characters that are markup anywhere in a line, each for one that looks the same and means nothing.
_LOOKALIKES = str.maketrans({
    "\\": "\u2216",  # ∖ set minus
    "*": "\u2217",  # ∗ asterisk operator
    "_": "\u02cd",  # ˍ modifier letter low macron
    "`": "\u02cb",  # ˋ modifier letter grave accent
    "~": "\u223c",  # ∼ tilde operator
    "[": "\uff3b",  # ［ fullwidth left square bracket
    "]": "\uff3d",  # ］ fullwidth right square bracket
    "<": "\u02c2",  # ˂ modifier letter left arrowhead
    ">": "\u02c3",  # ˃ modifier letter right arrowhead
})
_LINE_ENDS = re.compile(r"\r\n?")
_BLOCK_MARKER = re.compile(r"^([ \t]*)(?=[#+=|-]|\d+[.)])", re.MULTILINE)  # a heading, list, rule or table
_JOINED = re.compile(r"(?<=\{)(?=\{)|(?<=:)(?=//)|(?<=&)(?=#?[0-9A-Za-z]+;)")  # {{DATE(…)}}, URLs, entities


def user_text(value: object) -> str:
    """What someone typed (or Teams says their name is), shown exactly as typed and never as markup.

    Teams renders a subset of markdown in TextBlocks, in a Fact's title and value, and in chat
    messages: links, bold and italic, lists, and `<at>` mentions and some HTML in messages. Markdown's
    own escape, a backslash, is not used here: Teams' clients have disagreed about it (the mobile
    renderers showed the backslashes, or dropped characters after them; AdaptiveCards issues 4677 and
    5590, and the Android fix in Teams-AdaptiveCards-Mobile #58 in December 2023), so an escaped name
    would look different on a phone. Instead:

    - each character that is markup anywhere in a line (`\\ * _ ` ~ [ ] < >`) becomes a character that
      looks like it and is markup in no client (an asterisk operator, fullwidth brackets, modifier
      arrowheads for `<` `>`): no link, emphasis, code, mention or HTML can form, whatever the parser;
    - a line that starts like a heading, list, rule or table (`#`, `-`, `+`, `=`, `|`, `1.`, `1)`)
      starts with an invisible word joiner instead, as do the inside of `{{` (Adaptive Cards' DATE and
      TIME functions), of `://` (bare addresses made into links) and an `&` that begins an entity;
    - `\\r` becomes `\\n`, since Adaptive Cards read `\\r` as a line break in lists.

    Ordinary names, addresses and notes come out unchanged. Applying it twice changes nothing more.
    Input values (`value=` of Input.Text) are not markdown and must keep what was typed: never pass
    them through this.
    """
    if value is None:
        return ""
    text = _LINE_ENDS.sub("\n", str(value)).translate(_LOOKALIKES)
    text = _BLOCK_MARKER.sub(lambda m: m.group(1) + WORD_JOINER, text)
    return _JOINED.sub(WORD_JOINER, text)
