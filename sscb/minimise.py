"""Data minimisation: free text and pseudonyms refuse what looks like a child's identifiers.

Children and families are named by pseudonym only (DESIGN.md), so a field that a person types
into refuses an NHS number, a date of birth, a postcode, an email address or a phone number,
and a pseudonym must look like one ("Child A"). One home for the rule: models run it from
``clean_fields()`` (``sscb.models.MinimisedModel``), plain forms through ``MinimisedFormMixin``.
"""

import functools
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
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)"
    r"|\d{4}-\d{1,2}-\d{1,2}(?!\d)"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_DOB_WORD = r"(?:\bd\.?o\.?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s?date\b|\bbirth\s?day\b|\bborn\b)"
# A date beside a date-of-birth word, either way round: "DOB 01/02/2015", "born on
# 1 February 2015", "d.o.b.: 2015-02-01", "01/02/2015 (DOB)". A date alone is ordinary.
# Beside such a word a month and year say enough: "born 03/2015", "born in March 2015".
_MONTH_YEAR = rf"(?:\d{{1,2}}[/.-]\d{{4}}(?!\d)|{_MONTH}\s+\d{{4}})"
_DATE_OF_BIRTH = re.compile(
    rf"{_DOB_WORD}(?:\s*[:(–-]\s*|\s+)(?:(?:is|was|on|of|in)\s+)?(?:the\s+)?"
    rf"(?:{_DATE}|{_MONTH_YEAR})"
    rf"|{_DATE}\s*\(?\s*(?:\bd\.?o\.?b\b\.?|\bdate\s+of\s+birth\b)\)?",
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
    Unit University Village Ward Way
    """.split()  # noqa: SIM905
)
_GIVEN = r"(?P<given>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b"
# "Baby Oliver", "a boy called Jayden", "baby oliver", "his sister, known as Poppy", and each
# of those words after another: "a baby called Olivia", "the child known as Poppy".
_NAME_AFTER = re.compile(
    r"\b(?:(?i:baby|child|infant|sibling|young\s+person|named|called|known\s+as|nicknamed|aka)"
    r"\s+)+(?P<given>(?i:[a-z]+(?:-[a-z]+)?))\b"
)
# A name beside a pseudonym, in brackets: "Child A (Jayden)".
_NAME_IN_BRACKETS = re.compile(r"\(\s*(?P<given>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s*\)")
# A house number and a street: "14 Castle Street", "3a Mill Lane".
_STREET = re.compile(
    r"\b\d{1,4}[a-zA-Z]?,?\s+(?:[A-Z][a-z']+\s+){1,3}(?:Street|St|Road|Rd|Lane|Avenue|Close|"
    r"Drive|Way|Crescent|Gardens|Place|Terrace|Court|Grove|Square|Walk|Row|Mews|Parade|View)\b"
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


def _given(match) -> bool:
    """Whether the match's given name (the first of a double one: "Ella-Rose") is one."""
    return match.group("given").split("-", 1)[0].title() in GIVEN_NAMES


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
        if _given(match):
            yield match
    as_written = _CAPITALS.sub(lambda word: word.group().title(), text)  # same length
    for match in _from_each_word(_NAME, as_written):
        surname = match.group("surname")
        if _given(match) and (match.group("age") or (surname and surname not in NOT_SURNAMES)):
            yield match
    for match in _from_each_word(_SMALL_NAME, text):
        if _given(match) and match.group("surname").title() in COMMON_SURNAMES:
            yield match


def normalised(text: str) -> str:
    """``text`` as the rules read it, not as it was typed: full-width and other compatibility
    characters as their plain forms, accents dropped ("Smíth" as "Smith"), invisible
    characters dropped, every dash a hyphen (Word's en dash and non-breaking hyphen), any run of
    spaces, tabs and line breaks one space, and a separator between digits without the spaces
    around it ("943 - 476 - 5919" as "943-476-5919", "943_476_5919" as "943-476-5919")."""
    text = unicodedata.normalize("NFKD", text).translate(_INVISIBLE)
    text = "".join(char for char in text if not unicodedata.combining(char))
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


def _phone_is_plausible(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if text.startswith(("+", "00")):
        national = digits[4:] if digits.startswith("0044") else digits[2:]
        national = national.removeprefix("0")
        return 9 <= len(national) <= 10 and national[0] != "0"
    return 10 <= len(digits) <= 11 and digits[1] != "0"


def _matches(text: str, names: bool):
    for match in _NHS.finditer(text):
        if nhs_number_is_valid(re.sub(r"\D", "", match.group())):
            yield NHS_NUMBER, match
    for match in _EMAIL.finditer(text):
        yield EMAIL, match
    for match in _DATE_OF_BIRTH.finditer(text):
        yield DATE_OF_BIRTH, match
    for match in _POSTCODE.finditer(text):
        yield POSTCODE, match
    for match in _SMALL_POSTCODE.finditer(text):
        if match.group("area").upper() in POSTCODE_AREAS:
            yield POSTCODE, match
    for match in _PHONE.finditer(text):
        if _phone_is_plausible(match.group()):
            yield PHONE, match
    for match in _STREET.finditer(text):
        yield ADDRESS, match
    if names:
        for match in _names(text):
            yield NAME, match


def find_identifiers(text: str, *, names: bool = True) -> list[tuple[str, str]]:
    """(kind, the text matched) for each thing in ``text`` that looks like an identifier; a
    person's name too, unless ``names`` is False (a field that names an adult).

    Where two kinds claim the same characters the first found wins (an NHS number is not
    also reported as a phone number). In the order they appear in the text.
    """
    if not text:
        return []
    found, taken = [], []
    for kind, match in _matches(normalised(str(text)), names):
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
        elif found := find_identifiers(value):
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
            ):
                field.validators.append(validate_free_text)
            elif isinstance(field, forms.DateField) and validate_plausible_date not in (
                field.validators
            ):
                field.validators.append(validate_plausible_date)
