"""Data minimisation: free text and pseudonyms refuse what looks like a child's identifiers.

Children and families are named by pseudonym only (DESIGN.md), so a field that a person types
into refuses an NHS number, a date of birth, a postcode, an email address or a phone number,
and a pseudonym must look like one ("Child A"). One home for the rule: models run it from
``clean_fields()`` (``sscb.models.MinimisedModel``), plain forms through ``MinimisedFormMixin``.
"""

import functools
import html
import re
import unicodedata
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from .dates import validate_plausible_date

NHS_NUMBER = "nhs_number"
DATE_OF_BIRTH = "date_of_birth"
POSTCODE = "postcode"
EMAIL = "email"
PHONE = "phone"
NAME = "name"
ADDRESS = "address"

KIND_LABELS = {
    NHS_NUMBER: "an NHS number",
    DATE_OF_BIRTH: "a date of birth",
    POSTCODE: "a postcode",
    EMAIL: "an email address",
    PHONE: "a phone number",
    NAME: "a person's name",
    ADDRESS: "a street address",
}

REASON = "Children and families are named by pseudonym only: remove it."

# NHS number: ten digits, grouped 3-3-4 by spaces, dashes or dots or not at all; the check digit
# decides (modulus 11), so a reference or count of ten digits is not refused on that ground.
_NHS = re.compile(
    r"(?<!\d)(?<!\d[-./])(\d{3})([ ./-]?)(\d{3})\2(\d{4})(?!\d)(?![-./]\d)"
    # or digit by digit: "9 4 3 4 7 6 5 9 1 9"
    r"|(?<![\d./-])(?P<spaced>\d(?P<gap>[ ./-])\d(?:(?P=gap)\d){8})(?![\d./-])"
)
# After "NHS" ("NHS number", "NHS no.:") ten digits are one however they are grouped ("NHS
# 9434 765 919", "NHS number 943 476 591 9"); the check digit still decides.
_NHS_AFTER_WORD = re.compile(
    r"\bNHS(?:\s*(?:number|num|no)\b\.?)?(?:\s+(?:is|was))?\s*[:#.-]?\s*"
    r"(?P<digits>\d(?:[ ./-]?\d){9})(?![./-]?\d)",
    re.IGNORECASE,
)

# Letters beyond ASCII too ("jané@exämple.com"), and a full-width at sign.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+\s?(?:[@\uff20]|\(at\)|\[at\])\s?[\w-]+(?:\.[\w-]+)+")

# A UK postcode, in capitals as written (lower case would catch "q1 2nd"): outward code, an
# optional space, inward code. Letters that never appear in those places are left out, so
# references (SCR-2025-01, MATA-2025-001), "S11" and "WT2018" do not match.
_POSTCODE = re.compile(
    r"\b(?:GIR[ \u00a0]?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?[ -]?\d[ABD-HJLNP-UW-Z]{2})\b"
)
# The same in small letters ("sy1 1aa") only where its first letters are a postcode area's.
POSTCODE_AREAS = frozenset(
    """
    AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY
    E EC EH EN EX FK FY G GL GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY L LA LD LE LL LN LS
    LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO
    SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE
    """.split()  # noqa: SIM905
)
_SMALL_POSTCODE = re.compile(r"\b(?P<area>[a-z]{1,2})\d[a-z\d]?[ -]?\d[abd-hjlnp-uw-z]{2}\b")

# A UK phone number: a trunk 0 (the area code maybe in brackets) or +44 / 0044, then the
# subscriber number in up to three groups. The digit count is checked afterwards.
_PHONE = re.compile(
    r"(?<![\w+/.-])"
    r"(?:(?:\+|\b00)44[ ]?(?:\(0\)[ ]?)?\(?\d{2,4}\)?|\(?0\d{2,4}\)?)"
    r"[ .-]?\d{3,4}[ .-]?\d{2,4}"
    r"(?![\w/-])"
)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# A year in full, or its last two digits after a month's name ("3rd Apr '19", "3 April 19").
_YEAR = r"(?:\d{4}|'?\d{2})(?!\d)"
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)"
    r"|\d{4}-\d{1,2}-\d{1,2}(?!\d)"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR})"
)
# A date-of-birth word; written against the date it needs no space ("DOB03/04/2019").
_DOB_WORD = (
    r"(?:\bd\.?o\.?b(?![a-z])\.?|\bdate\s+of\s+birth(?![a-z])|\bbirth\s?date(?![a-z])"
    r"|\bbirth\s?day(?![a-z])|\bborn(?![a-z]))"
)
# A date beside a date-of-birth word, either way round: "DOB 01/02/2015", "born on
# 1 February 2015", "d.o.b.: 2015-02-01", "01/02/2015 (DOB)". A date alone is ordinary.
# Beside such a word a month and year say enough: "born 03/2015", "born in March 2015".
_MONTH_YEAR = rf"(?:\d{{1,2}}[/.-]\d{{4}}(?!\d)|{_MONTH}\s+\d{{4}})"
_DATE_OF_BIRTH = re.compile(
    rf"{_DOB_WORD}(?:\s*[:(–-]\s*|\s*)(?:(?:is|was|on|of|in)\s+)?(?:the\s+)?"
    rf"(?:{_DATE}|{_MONTH_YEAR})"
    rf"|{_DATE}\s*\(?\s*(?:(?<![a-z])d\.?o\.?b(?![a-z])\.?|\bdate\s+of\s+birth(?![a-z]))\)?",
    re.IGNORECASE,
)
_ANY_DATE = re.compile(_DATE, re.IGNORECASE)

# A child's name: a given name among those most often given in England and Wales this century
# (the Office for National Statistics' lists, ``given_names.txt``, less months such as "May"
# and words that start a sentence such as "Will"), written as a name is, and only beside what
# makes it a person's: a surname ("Jayden Smith"), an age ("Jayden, aged 4", "Jayden (4)"),
# "Baby" or "Child" before it ("Baby Oliver"), or "named" or "called" ("a boy called Jayden").
# A practitioner's name reads the same way: a review names them by role. A field that names an
# adult (a trainer, a head teacher) is exempt from this kind only
# (``MinimisedModel.names_adults``).
GIVEN_NAMES = frozenset(
    word
    for line in (Path(__file__).parent / "given_names.txt").read_text().splitlines()
    if not line.startswith("#")
    for word in line.split()
)
# Capitalised words that follow a given name in a place's or a body's name, not a person's.
NOT_SURNAMES = frozenset(
    """
    Academy Act Avenue Award Board Care Centre Children Childrens Church City Clinic Close
    College Community Council County Court Drive Estate Foundation Framework Gardens Grammar
    Green Group Hall Health High Hospital House Infant Infants Institute Junior Juniors Lane
    Medical Method Model Nursery Park Partnership Place Police Practice Primary Programme
    Project Report Review Road School Service Services Square Street Surgery Team Town Trust
    Unit University Village Ward Way Home Homes Lodge Federation Faculty Library Museum
    Society Charity Hub Network Alliance Center Campus Building Chambers
    """.split()  # noqa: SIM905
)
# A name followed by one of these words is a body's or a place's ("Thomas Adams School", "Lucy
# Faithfull Foundation", "Holly Lodge Children's Home"), not a person's.
_NEXT_WORD = re.compile(r"\s*(?P<word>[A-Z][a-z]+)(?:'s|s')?\b")
_GIVEN = r"(?P<given>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b"
# "Baby Oliver", "a boy called Jayden", "baby oliver", "his sister, known as Poppy", and each
# of those words after another: "a baby called Olivia", "the child known as Poppy".
_NAME_AFTER = re.compile(
    r"\b(?:(?i:baby|child|infant|sibling|young\s+person|named|called|known\s+as|nicknamed|aka)"
    r"\s+)+(?P<given>(?i:[a-z]+(?:-[a-z]+)?))\b"
)
# A name in brackets, as beside a pseudonym: "Child A (Jayden)", "Child A [Jayden]".
_NAME_IN_BRACKETS = re.compile(
    r"\(\s*(?P<given>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s*\)"
    r"|\[\s*(?P<given2>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s*\]"
)
# A name right beside a pseudonym: "Child A: Jayden", "Child A - Jayden", "Child A/Jayden",
# "Child A, Jayden,", "Child A's name is Jayden", "Mother of Child A, Lucy".
_NAME_BY_PSEUDONYM = re.compile(
    r"\b(?i:child|children|baby|infant|sibling|young\s+person|family|mother|father|parent"
    r"|carer|adult|person|case)\s+(?:[A-Z]{1,3}\d{0,2}|\d{1,3})"
    r"(?:\s*[:/,-]\s*|'s\s+(?i:(?:real|full|first|given)\s+)?(?i:name)\s+(?i:is|was)\s*:?\s*)"
    r"(?P<given>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b"
)
# A name whose family or home is spoken of: "Jayden's mother", "Jayden's school".
_NAME_OF_FAMILY = re.compile(
    rf"(?<!\bSt )(?<!\bSt\. )(?<!\bSaint )\b{_GIVEN}'s\s+"
    r"(?i:(?:half|step|foster|birth|maternal|paternal|older|younger|baby|big|little|twin)[\s-]*)?(?i:mother|mum|mummy|father|dad|daddy|parents?|brothers?|sisters?"
    r"|siblings?|grand(?:mother|father|ma|pa|parents?|mum|dad)|nan|nana|gran|grandad|aunt|auntie"
    r"|uncle|cousins?|carers?|family|school|nursery|home|bedroom|birthday|social\s+worker"
    r"|health\s+visitor|teacher|class)\b"
)
# A surname before the given name, as a register writes it: "Smith, Jayden", "SMITH Jayden",
# "Smith Jayden". The surname is a common one, or written in capitals.
_SURNAME_FIRST = re.compile(
    rf"\b(?P<surname>(?:[A-Z]'|Mc|Mac)?[A-Z][A-Za-z]+(?:-[A-Z][A-Za-z]+)?)(?:,\s*|\s+){_GIVEN}"
)
# Words in capitals that are not surnames: the acronyms a review uses.
ACRONYMS = frozenset(
    """
    ASB CAMHS CCE CDOP CIN CSE CSPR DASH EHCP ICPC IRO JTAI LADO LAC LCSPR LSCP MACE MARAC
    MAPPA MASH NSPCC OFSTED PACE PLO RCPC SEND SENCO SSCB NOTE UPDATE ACTION AGREED ALSO AND
    THE FOR WITH ABOUT CHILD BABY FAMILY MOTHER FATHER REVIEW MEETING POLICE HEALTH EDUCATION
    """.split()  # noqa: SIM905
)
# Between two words of a double given name, words that are also surnames ("Ella-Rose").
SECOND_GIVEN_NAMES = frozenset("Rose Mae May Marie Louise Lee Leigh Jay Jane Ann Anne Jo".split())  # noqa: SIM905
# A house number and a street: "14 Castle Street", "3a Mill Lane".
_STREET = re.compile(
    r"\b\d{1,4}[a-zA-Z]?,?\s+(?:[A-Z][a-z']+\s+){1,3}(?:Street|St|Road|Rd|Lane|Avenue|Close|"
    r"Drive|Way|Crescent|Gardens|Place|Terrace|Court|Grove|Square|Walk|Row|Mews|Parade|View)\b"
)
# ... and in small letters ("14 castle street"), with a word that is only a street's, and no
# word of a sentence between ("3 times in the street" is no address).
_SMALL_STREET = re.compile(
    r"\b\d{1,4}[a-z]?,?\s+"
    r"(?:(?!(?:the|a|an|of|on|in|at|to|by|and|or|for|from|with|into|down|up|along|across|near"
    r"|per|times|days|weeks|months|years|visits|children|people)\b)[a-z][a-z']+\s+){1,3}"
    r"(?:street|st|road|rd|lane|avenue|crescent|terrace|grove|mews)\b",
    re.IGNORECASE,
)
# Written all in small letters, a name is told from words only beside a common surname.
COMMON_SURNAMES = frozenset(
    """
    Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson
    Thompson Wright Walker White Edwards Hughes Green Lewis Wood Harris Martin Jackson Clarke
    Clark Turner Hill Scott Cooper Morris Ward Moore King Watson Baker Harrison Morgan Patel
    Young Allen Mitchell James Anderson Phillips Lee Bell Parker Davis Khan Ali Hussain Ahmed
    Begum Kaur Singh Murphy Kelly Campbell Stewart Price Bennett Griffiths Shaw Cook Richardson
    Carter Marshall Collins Bailey Cox Richards Howard Chapman Adams Ellis Webb Lloyd Fisher
    Holmes Mason Rogers Mills Palmer Owen Gray Murray Hunt Fox Rose Stevens Graham Dixon
    """.split()  # noqa: SIM905
)
# ... and so is a surname written in small letters after a given name: "Jayden smith".
_SMALL_NAME = re.compile(r"\b(?P<given>[A-Za-z][a-z]+)\s+(?P<surname>[a-z]+)\b")
# Words in capitals are read as a name is written: "JAYDEN SMITH" as "Jayden Smith".
_CAPITALS = re.compile(r"\b[A-Z][A-Z]+(?:['-][A-Z]+)?\b")
# What hides a number or a name from the rules without changing how it reads: a soft hyphen,
# zero-width characters. Any other space (no-break, thin, a tab, a line break) reads as a space.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_WHITESPACE = re.compile(r"\s+")
# Every dash and minus sign a person would read as a hyphen.
_DASHES = dict.fromkeys(
    map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"
)
# Every apostrophe and prime a person would read as one ("Jayden’s", "O’Brien", "’19").
_APOSTROPHES = dict.fromkeys(map(ord, "\u2018\u2019\u201b\u02bc\u2032\uff07\u0060\u00b4"), "'")
# Letters of other alphabets that look like Latin ones ("Jаyden" with a Cyrillic "а"): a word is
# read as it looks.
_CONFUSABLES = str.maketrans(
    # Cyrillic
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u04bb\u051b\u051d"
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0406\u0408\u0405"
    "\u0423\u04ae\u0417"
    # Greek
    "\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7"
    "\u03bf\u03b1\u03bd\u03b9\u03ba\u03c1\u03c5\u03c7",
    "aeopcyxijsdhqwABEKMHOPCTXIJSYY3ABEZHIKMNOPTYXoavikpux",
)
# HTML a person pasted, which a page may show as it reads: inline tags ("<b>Jay</b>den") join
# what is either side, a block's tags ("<p>", "<br>") part it. A tag's attributes are kept.
_HTML_TAG = re.compile(
    r"<\s*(?P<close>/)?\s*(?P<tag>[a-zA-Z][a-zA-Z0-9]{0,9})\b(?P<attributes>[^<>]{0,300}?)/?\s*>"
)
INLINE_TAGS = frozenset(
    """
    a abbr b bdi bdo big cite code del dfn em font i ins kbd mark q s samp small span strike
    strong sub sup time tt u var wbr
    """.split()  # noqa: SIM905
)
BLOCK_TAGS = frozenset(
    """
    address article aside blockquote br caption dd div dl dt figcaption figure footer h1 h2 h3
    h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul
    """.split()  # noqa: SIM905
)
_HTML_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")


def _without_tags(text: str) -> str:
    """``text`` as a page shows it, then what the tags' attributes say (shown where the text
    is shown as typed), read apart."""
    if "<" not in text:
        return text
    attributes = []

    def read(tag):
        name = tag.group("tag").lower()
        if name not in INLINE_TAGS and name not in BLOCK_TAGS:
            return tag.group()  # "<Jayden Smith>" is no tag: it is read as written
        attributes.append(tag.group("attributes"))
        return " " if name in BLOCK_TAGS else ""

    shown = _HTML_TAG.sub(read, text)
    return " . ".join([shown, *filter(str.strip, attributes)])


_BETWEEN_DIGITS = re.compile(r"(?<=\d) ?([-./_]) ?(?=\d)")
# "Jayden Smith", "Jayden, aged 4", "Jayden aged three", "Jayden Smith (4)", "Jayden (aged 4)",
# "Jayden, 4, ...", "Jayden, 7 weeks".
_AGE_IN_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    "|sixteen|seventeen|eighteen"
)
_NAME = re.compile(
    rf"\b{_GIVEN}(?:\s+(?P<surname>(?:[A-Z]'|Mc|Mac)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b)?"
    r"(?P<age>\s*,\s*\d{1,2}\s*,|\s*,?\s*(?:aged?\s+(?:\d{1,2}|" + _AGE_IN_WORDS + r")\b"
    r"|\(\s*(?:aged?\s+)?\d{1,2}\s*\)|\d{1,2}\s+(?:years?|months?|weeks?)\b))?"
)


def _given(match, group: str = "given") -> bool:
    """Whether the match's given name (the first of a double one: "Ella-Rose") is one."""
    return (match.group(group) or "").split("-", 1)[0].title() in GIVEN_NAMES


def _names_a_body(text: str, end: int) -> bool:
    """Whether a capitalised word among the next three after ``end`` makes the name before it a
    body's or a place's ("Harper Adams University", "Holly Lodge Children's Home")."""
    for _ in range(3):
        word = _NEXT_WORD.match(text, end)
        if word is None:
            return False
        if word.group("word") in NOT_SURNAMES:
            return True
        end = word.end()
    return False


def _joins_a_surname(given: str) -> bool:
    """Whether a hyphen joins a given name to a surname ("Jayden-Smith"), not to a second given
    name ("Ella-Rose", "Jayden-James")."""
    first, _, second = given.partition("-")
    second = second.title()
    return bool(second) and second not in GIVEN_NAMES and second not in SECOND_GIVEN_NAMES


def _is_surname(word: str) -> bool:
    """A common surname in any case, or any other word in capitals that is no acronym."""
    if word.title() in COMMON_SURNAMES:
        return True
    return (
        word.isupper()
        and len(word) > 2
        and word not in ACRONYMS
        and any(vowel in word for vowel in "AEIOUY")
    )


# Where a word starts: a name is looked for at each one (``_from_each_word``).
_WORD_START = re.compile(r"\b(?=[A-Za-z])")


def _from_each_word(pattern: re.Pattern, text: str):
    """``pattern``'s match at the start of each word, where there is one. Unlike ``finditer``,
    a match read and set aside does not use up its words: in "Visited Jayden Smith" the match
    "Visited Jayden" (not a given name) leaves "Jayden Smith" to be read."""
    for word in _WORD_START.finditer(text):
        match = pattern.match(text, word.start())
        if match:
            yield match


def _names(text: str):
    for match in _NAME_AFTER.finditer(text):
        if _given(match):
            yield match
    for match in _NAME_IN_BRACKETS.finditer(text):
        if _given(match) or _given(match, "given2"):
            yield match
    as_written = _CAPITALS.sub(lambda word: word.group().title(), text)  # same length
    for pattern in (_NAME_BY_PSEUDONYM, _NAME_OF_FAMILY):
        for match in pattern.finditer(as_written):
            if _given(match) and not _names_a_body(as_written, match.end()):
                yield match
    for match in _from_each_word(_NAME, as_written):
        if not _given(match):
            continue
        surname = match.group("surname")
        if match.group("age") or (
            ((surname and surname not in NOT_SURNAMES) or _joins_a_surname(match.group("given")))
            and not _names_a_body(as_written, match.end())
        ):
            yield match
    # Surname first: in capitals as typed ("SMITH, Jayden"), or a common one as written.
    for source in (text, as_written):
        for match in _from_each_word(_SURNAME_FIRST, source):
            if (
                _given(match)
                and _is_surname(match.group("surname"))
                and not _names_a_body(source, match.end())
            ):
                yield match
    for match in _from_each_word(_SMALL_NAME, text):
        if _given(match) and match.group("surname").title() in COMMON_SURNAMES:
            yield match


def normalised(text: str) -> str:
    """``text`` as the rules read it, not as it was typed: full-width and other compatibility
    characters as their plain forms, accents dropped ("Smíth" as "Smith"), letters of other
    alphabets that look like Latin ones as those, every apostrophe a "'", HTML tags and
    entities as a page shows them ("<b>Jay</b>den", "&#74;ayden" as "Jayden"), invisible
    characters dropped, every dash a hyphen (Word's en dash and non-breaking hyphen), any run of
    spaces, tabs and line breaks one space, and a separator between digits without the spaces
    around it ("943 - 476 - 5919" as "943-476-5919", "943_476_5919" as "943-476-5919")."""
    if "&" in text:
        text = _HTML_ENTITY.sub(lambda entity: html.unescape(entity.group()), text)
    text = unicodedata.normalize("NFKD", text).translate(_INVISIBLE)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _without_tags(text.translate(_CONFUSABLES).translate(_APOSTROPHES))
    text = _WHITESPACE.sub(" ", text.translate(_DASHES))
    return _BETWEEN_DIGITS.sub(lambda gap: gap.group(1).replace("_", "-"), text)


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number's modulus 11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


# A non-geographic number (03xx, 08xx: 0300, 0345, 0800, 0808, 0845, 0870) is a service's, an
# organisation's or a helpline's, never a family's: a briefing says "call the MASH on 0345 ...".
NON_GEOGRAPHIC = ("3", "8")


def _phone_is_plausible(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if text.startswith(("+", "00")):
        national = digits[4:] if digits.startswith("0044") else digits[2:]
        national = national.removeprefix("0")
        return (
            9 <= len(national) <= 10
            and national[0] != "0"
            and not national.startswith(NON_GEOGRAPHIC)
        )
    return 10 <= len(digits) <= 11 and digits[1] != "0" and digits[1] not in NON_GEOGRAPHIC


def _matches(text: str, names: bool, places: bool):
    for match in _NHS.finditer(text):
        if nhs_number_is_valid(re.sub(r"\D", "", match.group())):
            yield NHS_NUMBER, match
    for match in _NHS_AFTER_WORD.finditer(text):
        if nhs_number_is_valid(re.sub(r"\D", "", match.group("digits"))):
            yield NHS_NUMBER, match
    for match in _EMAIL.finditer(text):
        yield EMAIL, match
    for match in _DATE_OF_BIRTH.finditer(text):
        yield DATE_OF_BIRTH, match
    if places:
        for match in _POSTCODE.finditer(text):
            yield POSTCODE, match
        for match in _SMALL_POSTCODE.finditer(text):
            if match.group("area").upper() in POSTCODE_AREAS:
                yield POSTCODE, match
    for match in _PHONE.finditer(text):
        if _phone_is_plausible(match.group()):
            yield PHONE, match
    if places:
        # Capitals read as a street's name is written: "14 CASTLE STREET".
        as_written = _CAPITALS.sub(lambda word: word.group().title(), text)  # same length
        for match in _STREET.finditer(as_written):
            yield ADDRESS, match
        for match in _SMALL_STREET.finditer(text):
            yield ADDRESS, match
    if names:
        for match in _names(text):
            yield NAME, match


def find_identifiers(
    text: str, *, names: bool = True, places: bool = True
) -> list[tuple[str, str]]:
    """(kind, the text matched) for each thing in ``text`` that looks like an identifier; a
    person's name too, unless ``names`` is False (a field that names an adult); a postcode and a
    street address too, unless ``places`` is False (a field that names a venue, not a home).

    Where two kinds claim the same characters the first found wins (an NHS number is not
    also reported as a phone number). In the order they appear in the text.
    """
    if not text:
        return []
    found, taken = [], []
    for kind, match in _matches(normalised(str(text)), names, places):
        start, end = match.span()
        if any(start < other_end and other_start < end for other_start, other_end in taken):
            continue
        taken.append((start, end))
        found.append((start, kind, match.group().strip()))
    return [(kind, matched) for _start, kind, matched in sorted(found)]


def identifier_messages(found) -> list[str]:
    return [f"This looks like {KIND_LABELS[kind]} ({matched}). {REASON}" for kind, matched in found]


def validate_free_text(value) -> None:
    """Refuse free text holding something that looks like a child's or family's identifier."""
    found = find_identifiers(value)
    if found:
        raise ValidationError(identifier_messages(found), code="identifier")


def validate_place(value) -> None:
    """Refuse, in a field that names a venue (``names_places``), every identifier but a street
    address and a postcode: a venue's address is not a child's home."""
    found = find_identifiers(value, places=False)
    if found:
        raise ValidationError(identifier_messages(found), code="identifier")


PSEUDONYM_WORDS = (
    "Child",
    "Children",
    "Baby",
    "Young person",
    "Family",
    "Sibling",
    "Mother",
    "Father",
    "Parent",
    "Carer",
    "Adult",
    "Infant",
    "Person",
    "Case",
)
# Plurals and "group" are accepted too: "Siblings E and F", "Sibling group F".
_WORD = (
    r"(?i:children|child|babies|baby|young\s+people|young\s+person|families|family|siblings?"
    r"|mothers?|fathers?|parents?|carers?|adults?|infants?|persons?|people|cases?)"
    r"(?:\s+(?i:group))?"
)
# The label: one to three capital letters, maybe with a number ("AB", "A1"), a single letter
# in either case, or a number. "Child Jo" is refused: it reads as a name.
_LABEL = r"(?:[A-Z]{1,3}\d{0,2}|[a-z]\d{0,2}|\d{1,3})"
_TERM = rf"{_WORD}\s+{_LABEL}"
_JOIN = r"(?:\s*,\s*|\s+(?:and|&)\s+|\s*,\s*(?:and|&)\s+)"
_PSEUDONYM = re.compile(
    rf"(?:{_WORD}\s+(?i:of)\s+)*{_TERM}(?:{_JOIN}(?:{_TERM}|{_LABEL}))*",
)

PSEUDONYM_HELP = (
    "A pseudonym only: Child, Children, Baby, Young person, Family, Sibling, Mother, Father, "
    "Parent, Carer, Adult, Infant, Person or Case followed by a letter or number, such as "
    "“Child A”, “Family B” or “Mother of Child A”. Never a name, date of birth or NHS number."
)


def disposal_marker(day) -> str:
    """What replaces a disposed record's free text and pseudonyms (sscb.retention)."""
    return f"[disposed on {day.isoformat()}]"


_DISPOSED = re.compile(r"\[disposed on \d{4}-\d{2}-\d{2}\]")


def validate_pseudonym(value) -> None:
    """Refuse a pseudonym holding an identifier or a date, or not shaped like one ("Child A")."""
    value = (value or "").strip()
    if not value or _DISPOSED.fullmatch(value):
        return
    found = find_identifiers(value)
    # In a pseudonym any date is most likely the child's date of birth.
    if not any(kind == DATE_OF_BIRTH for kind, _ in found):
        found += [(DATE_OF_BIRTH, match.group()) for match in _ANY_DATE.finditer(value)]
    messages = identifier_messages(found)
    if not _PSEUDONYM.fullmatch(value):
        words = ", ".join(PSEUDONYM_WORDS[:-1]) + " or " + PSEUDONYM_WORDS[-1]
        messages.append(
            f"“{value}” does not look like a pseudonym. Start with {words}, followed by a "
            "letter or number (“Child A”, “Family B”, “Sibling 2”). Children and families are "
            "named by pseudonym only."
        )
    if messages:
        raise ValidationError(messages, code="pseudonym")


# The words that make the name after them a child's ("Baby Oliver", "Young person Jayden"): a
# field that names an adult may hold a name (``names_adults``), but never one marked as a
# child's.
CHILD_WORDS = frozenset({"baby", "child", "infant", "sibling", "young"})


def validate_adults_name(value) -> None:
    """Refuse, in a field that names an adult (a trainer, a head teacher, who notified), every
    identifier but a name, and a name marked as a child's ("Baby Oliver", "Jayden Smith, aged
    4") or a child's or family's pseudonym ("Child A"): either means a child's record was typed
    in the wrong place. Adults' names pass."""
    value = " ".join(str(value or "").split())
    if not value or _DISPOSED.fullmatch(value):  # emptied by retention
        return
    found = find_identifiers(value, names=False)
    if found:
        raise ValidationError(identifier_messages(found), code="identifier")
    for kind, matched in find_identifiers(value):
        # Named as a child is: after "Baby" or "Child", or with an age ("Jayden Smith, aged 4").
        marked = CHILD_WORDS & set(matched.lower().split()[:-1])
        if kind == NAME and (marked or _NAME.match(matched).group("age")):
            raise ValidationError(
                f"“{matched}” reads as a child's name, and no child is named here: give the "
                "adult's own name.",
                code="identifier",
            )
    try:
        validate_pseudonym(value)
    except ValidationError:
        return  # not shaped like a pseudonym: a person's name
    raise ValidationError(
        f"“{value}” is a pseudonym, the way a child or family is named in a case record: give "
        "the adult's own name (they are staff, so their name is fine here).",
        code="pseudonym",
    )


@functools.cache
def minimised_text_fields(model) -> tuple:
    """The model's free-text fields the rule applies to: editable, without choices, not exempt."""
    exempt = getattr(model, "minimise_exempt", frozenset())
    return tuple(
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.EmailField | models.URLField | models.SlugField)
        and field.editable
        and not field.choices
        and field.name not in exempt
        and validate_pseudonym not in field.validators
    )


def free_text_errors(instance, exclude=None) -> dict[str, list[str]]:
    """{field name: messages} for the instance's free-text fields that hold an identifier (a
    field that names an adult, ``names_adults``, may hold an adult's name, never a child's:
    ``validate_adults_name``)."""
    exclude = exclude or ()
    adults = getattr(type(instance), "names_adults", frozenset())
    places = getattr(type(instance), "names_places", frozenset())
    errors = {}
    for field in minimised_text_fields(type(instance)):
        if field.name in exclude:
            continue
        value = getattr(instance, field.attname)
        if field.name in adults:
            try:
                validate_adults_name(value)
            except ValidationError as error:
                errors[field.name] = error.messages
        elif found := find_identifiers(value, places=field.name not in places):
            errors[field.name] = identifier_messages(found)
    return errors


class MinimisedFormMixin:
    """For a plain ``forms.Form`` whose text reaches the database: each text field refuses
    identifiers, so the message sits on the field and what was typed stays in it; each date
    field refuses a date no record needs (``sscb.dates.validate_plausible_date``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if (
                isinstance(field, forms.CharField)
                and not isinstance(field, forms.EmailField | forms.URLField)
                and validate_free_text not in field.validators
                and validate_place not in field.validators  # a venue's field
            ):
                field.validators.append(validate_free_text)
            elif isinstance(field, forms.DateField) and validate_plausible_date not in (
                field.validators
            ):
                field.validators.append(validate_plausible_date)
