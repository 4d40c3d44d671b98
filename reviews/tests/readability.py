"""Flesch reading ease and Flesch-Kincaid grade, computed here (no package needed).

Reading age is the US grade plus five: a reading age of about 11 is a grade of about 6.
Syllables are counted by groups of vowels, less a silent final "e" and the "-ed"/"-es" endings
that add none; that is the usual rule of thumb, right for most short plain words.
"""

import re

WORD = re.compile(r"[A-Za-z0-9’']+")
SENTENCE_END = re.compile(r"[.!?]+")


def syllables(word: str) -> int:
    word = re.sub(r"[^a-z]", "", word.lower())
    if not word:
        return 1  # a number is read as one word
    count = len(re.findall(r"[aeiouy]+", word))
    if count > 1 and word.endswith("e") and not word.endswith(("le", "ee")):
        count -= 1
    if count > 1 and word.endswith("ed") and not word.endswith(("ted", "ded")):
        count -= 1
    if count > 1 and word.endswith("es") and not re.search(r"(s|z|c|g|x|sh|ch)es$", word):
        count -= 1
    return max(1, count)


def scores(sentences: list[str]) -> tuple[float, float]:
    """(reading ease, grade) of text given as sentences (headings and list items count as one)."""
    pieces = [p for s in sentences for p in SENTENCE_END.split(s) if WORD.search(p)]
    words = [w for p in pieces for w in WORD.findall(p)]
    per_sentence = len(words) / len(pieces)
    per_word = sum(syllables(w) for w in words) / len(words)
    ease = 206.835 - 1.015 * per_sentence - 84.6 * per_word
    grade = 0.39 * per_sentence + 11.8 * per_word - 15.59
    return ease, grade
