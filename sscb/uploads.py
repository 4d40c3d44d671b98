"""The one rule for files people upload: which types, how large, and what they are called.

A file is accepted only when its content and its extension agree on one of the types below.
Content is read, never the browser's Content-Type (which the sender chooses): PDF, PNG and JPEG
by their signatures (the ``filetype`` package); Word/Excel/OpenDocument files by looking inside
their container, since a .docx is "a ZIP file" and so is anything else zipped; CSV and plain text,
which have no signature, by decoding them as text. Every form field and every service that takes
a file calls ``validate_upload``.
"""

import re
import unicodedata
import uuid
import zipfile

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from .minimise import find_identifiers, identifier_messages

REFUSED_TYPE = (
    "This file type can't be accepted. Upload a PDF, Word, Excel, OpenDocument, CSV, "
    "plain-text, PNG or JPEG file."
)
ACCEPTED_EXTENSIONS = (
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "odt",
    "ods",
    "odp",
    "csv",
    "txt",
    "png",
    "jpg",
    "jpeg",
)
# What ``filetype`` names by signature -> the extensions that content may carry.
BY_SIGNATURE = {"pdf": {"pdf"}, "png": {"png"}, "jpg": {"jpg", "jpeg"}}
TEXT = {"csv", "txt"}

ZIP_SIGNATURE = b"PK\x03\x04"
# Word 97-2003 and Excel 97-2003 files are OLE compound files; the streams inside say which.
COMPOUND_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
COMPOUND_STREAMS = {
    "doc": ["WordDocument"],
    "xls": ["Workbook", "Book"],
}
ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
OOXML_PARTS = {"word/": "docx", "xl/": "xlsx"}

HEAD_BYTES = 8192
CHUNK_BYTES = 1 << 20
MAX_NAME_LENGTH = 150
# Text must not hold control characters other than tab, line feed, form feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# HTML, SVG, XML or a script dressed as text: a browser that ignored our headers could run it.
MARKUP_OR_SCRIPT = re.compile(r"\s*(<\s*[!?/a-zA-Z]|#!)")
UNSAFE_IN_NAMES = re.compile(r"[\"'`<>:|?*;\\/]")


def max_upload_bytes() -> int:
    return settings.UPLOAD_MAX_MB * 1024 * 1024


def validate_upload(upload) -> tuple[str, str]:
    """Return the upload's cleaned name and its extension, or raise ValidationError saying why
    it can't be accepted. Nothing is stored here."""
    if upload.size > max_upload_bytes():
        raise ValidationError(
            "This file is %(size)s MB. Files of up to %(limit)s MB can be accepted.",
            code="too_large",
            params={"size": f"{upload.size / (1024 * 1024):.1f}", "limit": settings.UPLOAD_MAX_MB},
        )
    if not upload.size:
        raise ValidationError("The file is empty.", code="empty")
    name = clean_filename(upload.name)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in ACCEPTED_EXTENSIONS or extension not in content_types(upload):
        raise ValidationError(REFUSED_TYPE, code="file_type")
    # The name is shown and offered for download: it is free text like any other, read as words
    # ("Jayden_Smith_chronology" as "Jayden Smith chronology").
    stem = name.rpartition(".")[0]
    found = find_identifiers(stem) or find_identifiers(name_as_words(stem))
    if found:
        raise ValidationError(
            [f"In the file's name: {message}" for message in identifier_messages(found)]
            + ["Rename the file, then attach it again."],
            code="identifier_in_name",
        )
    return name, extension


# What parts the words of a file's name: an underscore, a hyphen or a dot between letters, and
# a small letter before a capital ("JaydenSmith"). Between digits they stay: "03-04-2019".
_NAME_SEPARATOR = re.compile(r"_+|(?<=[^\W\d_])[-.]+|[-.]+(?=[^\W\d_])|(?<=[a-z])(?=[A-Z])")


def name_as_words(stem: str) -> str:
    """A file name's stem as a person reads it: "Baby_Oliver_notes" as "Baby Oliver notes",
    "DOB_03-04-2019" as "DOB 03-04-2019", "JaydenSmith" as "Jayden Smith"."""
    return " ".join(_NAME_SEPARATOR.sub(" ", stem).split())


def stored_name(extension: str) -> str:
    """A random name to store a file under: the uploaded name may say who a child is."""
    return f"{uuid.uuid4().hex}.{extension}"


def clean_filename(name) -> str:
    """The uploaded name, safe to show and to offer as a download's name: its last path part,
    without control or direction-changing characters, quotes or shell/Windows specials."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(UNSAFE_IN_NAMES.sub("", name).split()).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = extension[:10]
    stem = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(" .") or "file"
    return f"{stem}.{extension}" if extension else stem


def content_types(upload) -> set[str]:
    """The extensions the upload's bytes may carry (empty when none that we accept)."""
    try:
        upload.seek(0)
        head = upload.read(HEAD_BYTES)
        if head.startswith(ZIP_SIGNATURE):
            return _zip_types(upload)
        if head.startswith(COMPOUND_SIGNATURE):
            return _compound_types(upload)
        kind = filetype.guess(head)
        if kind is not None and kind.extension in BY_SIGNATURE:
            return BY_SIGNATURE[kind.extension]
        # Anything else is accepted only as text (a signature of two letters, like a bitmap's
        # "BM", must not refuse a CSV whose first column is "BMI").
        return TEXT if _is_plain_text(upload) else set()
    finally:
        upload.seek(0)


def _zip_types(upload) -> set[str]:
    """OpenDocument names its type in a ``mimetype`` entry; Office Open XML has a
    ``[Content_Types].xml`` and its parts under word/ or xl/. Other ZIP files are refused."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100).decode("ascii", "replace").strip()
                return {ODF_MIMETYPES[mimetype]} if mimetype in ODF_MIMETYPES else set()
            if "[Content_Types].xml" in names:
                return {
                    extension
                    for prefix, extension in OOXML_PARTS.items()
                    if any(name.startswith(prefix) for name in names)
                }
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError):
        # Corrupt, encrypted or using a compression Python cannot read.
        pass
    return set()


def _compound_types(upload) -> set[str]:
    """Which of Word's or Excel's streams a compound file's directory names."""
    wanted = {
        extension: [(stream + "\0").encode("utf-16-le") for stream in streams]
        for extension, streams in COMPOUND_STREAMS.items()
    }
    found, tail = set(), b""
    upload.seek(0)
    while chunk := upload.read(CHUNK_BYTES):
        window = tail + chunk
        found |= {ext for ext, marks in wanted.items() if any(mark in window for mark in marks)}
        tail = window[-64:]
    return found


def _is_plain_text(upload) -> bool:
    upload.seek(0)
    data = upload.read(max_upload_bytes() + 1)
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return not (CONTROL_CHARACTERS.search(text) or MARKUP_OR_SCRIPT.match(text))


class UploadField(forms.FileField):
    """A form's file field held to ``validate_upload``; the browser's picker offers the same
    types (a hint only: the server decides)."""

    default_validators = [validate_upload]

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "PDF, Word, Excel, OpenDocument, CSV, plain text, PNG or JPEG, "
            f"up to {settings.UPLOAD_MAX_MB} MB.",
        )
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["accept"] = ",".join(f".{extension}" for extension in ACCEPTED_EXTENSIONS)
        return attrs
