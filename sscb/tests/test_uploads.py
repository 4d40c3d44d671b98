"""sscb.uploads: which files are accepted (by content and extension together), how large, and
what they are called; and the same rule through the services and the pages that take files."""

import html
import io
import re
import struct
import zipfile
import zlib

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning import services
from learning.models import Attachment
from learning.tests.factories import ActionFactory, EvidenceFactory
from sscb.uploads import REFUSED_TYPE, clean_filename, validate_upload

# Tiny real files ---------------------------------------------------------------------------------

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _png():
    def chunk(kind, data):
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def _jpeg():
    """A 1x1 grey baseline JPEG: one block whose only coefficient is zero."""
    one_code = bytes([1] + [0] * 15) + b"\x00"  # a Huffman table with one 1-bit code, symbol 0
    return b"".join(
        [
            b"\xff\xd8",
            b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
            b"\xff\xdb\x00\x43\x00" + b"\x01" * 64,
            b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00",
            b"\xff\xc4\x00\x14\x00" + one_code,
            b"\xff\xc4\x00\x14\x10" + one_code,
            b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00",
            b"\x3f",  # DC difference 0, end of block, padded with ones
            b"\xff\xd9",
        ]
    )


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            # OpenDocument's mimetype entry comes first and is stored, not compressed.
            kind = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return buffer.getvalue()


CONTENT_TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def _docx():
    return _zip(
        [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", "<Relationships/>"),
            ("word/document.xml", "<w:document/>"),
        ]
    )


def _xlsx():
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active["A1"] = "Audits completed"
    book.save(buffer)
    return buffer.getvalue()


def _odf(kind):
    return _zip(
        [
            ("mimetype", f"application/vnd.oasis.opendocument.{kind}"),
            ("META-INF/manifest.xml", "<manifest:manifest/>"),
            ("content.xml", "<office:document-content/>"),
        ]
    )


def _compound(stream):
    """An OLE compound file (Word/Excel 97-2003) holding one 4 KB stream named ``stream``."""
    end, free, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    fat = struct.pack("<III", 0xFFFFFFFD, end, 3)  # sector 0 the FAT, 1 the directory, 2.. data
    fat += b"".join(struct.pack("<I", n + 1) for n in range(3, 9)) + struct.pack("<I", end)
    fat += struct.pack("<I", free) * (128 - 10)

    def entry(name, kind, child, start, size):
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, nostream, nostream, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    empty = bytes(64) + struct.pack("<HBBIII", 0, 0, 0, nostream, nostream, nostream) + bytes(48)
    directory = entry("Root Entry", 5, 1, end, 0) + entry(stream, 2, nostream, 2, 4096)
    directory += empty * 2
    return header + fat + directory + b"\x01" * 4096


PNG, JPEG, DOCX, XLSX = _png(), _jpeg(), _docx(), _xlsx()

ACCEPTED = [
    ("Police chronology.pdf", PDF, "pdf"),
    ("Strategy meeting.docx", DOCX, "docx"),
    ("Old minutes.doc", _compound("WordDocument"), "doc"),
    ("Audit results.xlsx", XLSX, "xlsx"),
    ("Old returns.xls", _compound("Workbook"), "xls"),
    ("Report.odt", _odf("text"), "odt"),
    ("Figures.ods", _odf("spreadsheet"), "ods"),
    ("Briefing.odp", _odf("presentation"), "odp"),
    ("Cases.csv", b"agency,cases\nPolice,12\nHealth,7\n", "csv"),
    ("BMI figures.csv", b"BMI,children\n25,3\n", "csv"),  # starts like a bitmap's signature
    ("Notes.txt", "Reviewed on 3 March; £40.\r\nNo concerns.\n".encode(), "txt"),
    ("Notes with BOM.txt", "\ufeffCost: £40\n".encode(), "txt"),
    ("Windows notes.txt", "Cost: £40 – agreed\n".encode("cp1252"), "txt"),
    ("Photo of poster.png", PNG, "png"),
    ("Scan.jpg", JPEG, "jpg"),
    ("Scan.jpeg", JPEG, "jpeg"),
    ("SCAN.JPG", JPEG, "jpg"),
]

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

REFUSED = [
    ("malware.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200)),
    ("evil.html", HTML),
    ('a".svg', SVG),
    ("page.txt", b"  \n\t" + HTML),  # markup after whitespace, dressed as text
    ("drawing.csv", SVG),
    ("data.txt", b'<?xml version="1.0"?><x/>'),
    ("run.txt", b"#!/bin/sh\nrm -rf /\n"),
    ("photo.pdf", PNG),  # content and extension disagree
    ("report.exe", PDF),
    ("report.txt", PDF),
    ("notes.txt", b"Child A\x00\x00\x00seen"),
    ("control.csv", b"a,b\n\x1b[31m,2\n"),
    ("binary.csv", bytes(range(0x80, 0x100)) * 4),  # neither UTF-8 nor Windows-1252
    ("archive.docx", _zip([("notes.txt", "not a Word file")])),  # a ZIP is not enough
    ("sheet.docx", XLSX),
    ("letter.xlsx", DOCX),
    ("report.docx", _odf("text")),
    ("drawing.odt", _odf("graphics")),
    ("minutes.xls", _compound("WordDocument")),
    ("broken.docx", b"PK\x03\x04" + bytes(100)),
    ("presentation.pptx", _zip([("[Content_Types].xml", CONTENT_TYPES), ("ppt/p.xml", "<p/>")])),
    ("pdf", PDF),  # no extension
    (".pdf", PDF),
    ("animation.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
]


@pytest.mark.parametrize(("name", "content", "extension"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_files(name, content, extension):
    upload = SimpleUploadedFile(name, content)
    assert validate_upload(upload) == (name, extension)
    assert upload.tell() == 0  # left ready to be stored


@pytest.mark.parametrize(("name", "content"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_files(name, content):
    with pytest.raises(ValidationError) as refusal:
        validate_upload(SimpleUploadedFile(name, content))
    assert refusal.value.messages == [REFUSED_TYPE]


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("Child A NHS 943 476 5919.pdf", "943 476 5919"),
        ("referral DOB 01-02-2015.pdf", "01-02-2015"),
        ("notes from jo.bloggs@example.org.txt", "jo.bloggs@example.org"),
    ],
)
def test_a_file_named_with_an_identifier_is_refused_saying_what_was_found(name, found):
    with pytest.raises(ValidationError) as refusal:
        validate_upload(SimpleUploadedFile(name, b"%PDF-1.4 report" if ".pdf" in name else b"ok"))
    text = " ".join(refusal.value.messages)
    assert "In the file's name" in text and found in text and "Rename the file" in text


def test_a_file_named_with_a_plain_date_is_accepted():
    name = "Audit report 2025-06-01.pdf"
    assert validate_upload(SimpleUploadedFile(name, b"%PDF-1.4 report")) == (name, "pdf")


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        validate_upload(SimpleUploadedFile("empty.txt", b""))


def test_a_file_over_the_limit_is_refused_and_one_at_it_is_not(settings):
    settings.UPLOAD_MAX_MB = 1
    at_limit = b"%PDF-1.4\n" + b"0" * (1024 * 1024 - 9)
    assert validate_upload(SimpleUploadedFile("big.pdf", at_limit))[1] == "pdf"
    with pytest.raises(ValidationError, match="Files of up to 1 MB"):
        validate_upload(SimpleUploadedFile("big.pdf", at_limit + b"0"))


@pytest.mark.parametrize(
    ("uploaded", "cleaned"),
    [
        ('../../etc/passwd"x.pdf', "passwdx.pdf"),
        ("C:\\Users\\sw\\Child A review.docx", "Child A review.docx"),
        ("report\u202egpj.exe", "reportgpj.exe"),  # a right-to-left override hides ".exe"
        ("line\r\nbreak\x00.txt", "linebreak.txt"),
        ("  it's <bold>: yes?.csv ", "its bold yes.csv"),
        ("...hidden.txt", "hidden.txt"),
        ("", "file"),
        ("/", "file"),
        ("caf\u0065\u0301.pdf", "caf\u00e9.pdf"),
    ],
)
def test_uploaded_names_are_cleaned(uploaded, cleaned):
    assert clean_filename(uploaded) == cleaned


def test_long_names_are_shortened_keeping_the_extension():
    cleaned = clean_filename("x" * 300 + ".xlsx")
    assert len(cleaned) == 150 and cleaned.endswith("x.xlsx")


# Through the service -------------------------------------------------------------------------


def _stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


def test_the_service_refuses_an_oversized_file_before_storing_it(settings, tmp_path, bu_user):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_MAX_MB = 20
    action = ActionFactory()
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024))
    with pytest.raises(ValidationError) as refusal:
        services.attachment_add(parent=action, upload=big, uploaded_by=bu_user)
    assert "Files of up to 20 MB" in refusal.value.message_dict["file"][0]
    assert not Attachment.objects.exists()
    assert _stored_files(tmp_path) == []


def test_the_service_refuses_a_disguised_file(settings, tmp_path, bu_user):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as refusal:
        services.attachment_add(
            parent=ActionFactory(),
            upload=SimpleUploadedFile("notes.txt", HTML),
            uploaded_by=bu_user,
        )
    assert refusal.value.message_dict == {"file": [REFUSED_TYPE]}
    assert not Attachment.objects.exists() and _stored_files(tmp_path) == []


# Through the pages -------------------------------------------------------------------------------


@pytest.fixture
def parents(agency_user):
    return {
        "action": ActionFactory(owner_agency=agency_user.agency),
        "evidence": EvidenceFactory(agency=agency_user.agency),
    }


def _post(client, kind, parent, upload):
    if kind == "action":
        url = reverse("learning:action_progress", args=[parent.uuid])
        data = {"progress": "Training booked", "file": upload}
    else:
        url = reverse("learning:evidence_provide", args=[parent.uuid])
        data = {"summary": "Audit of 30 strategy discussions", "file": upload}
    return client.post(url, data)


def _unchanged(kind, parent):
    parent.refresh_from_db()
    return parent.progress == "" if kind == "action" else parent.received_on is None


@pytest.mark.parametrize("kind", ["action", "evidence"])
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.html", HTML, REFUSED_TYPE),
        ("photo.pdf", PNG, REFUSED_TYPE),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024), "Files of up to 20 MB"),
    ],
    ids=["html", "png-as-pdf", "21MB"],
)
def test_a_refused_upload_changes_nothing_and_the_form_says_why(
    client, agency_user, parents, settings, tmp_path, kind, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_MAX_MB = 20
    client.force_login(agency_user)
    response = _post(client, kind, parents[kind], SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert _unchanged(kind, parents[kind])
    assert not Attachment.objects.exists()
    assert _stored_files(tmp_path) == []


@pytest.mark.parametrize("kind", ["action", "evidence"])
def test_an_accepted_upload_is_stored_under_a_random_name_and_downloads_under_its_own(
    client, agency_user, parents, settings, tmp_path, kind
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(agency_user)
    response = _post(client, kind, parents[kind], SimpleUploadedFile('../../etc/passwd"x.pdf', PDF))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert re.fullmatch(r"evidence/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", attachment.file.name)
    assert attachment.name == "passwdx.pdf"
    assert [path.read_bytes() for path in _stored_files(tmp_path)] == [PDF]

    download = client.get(reverse("learning:attachment", args=[attachment.uuid]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="passwdx.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF


def test_a_name_kept_before_names_were_cleaned_is_cleaned_for_the_download(
    client, agency_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    action = ActionFactory(owner_agency=agency_user.agency)
    attachment = services.attachment_add(
        parent=action, upload=SimpleUploadedFile("notes.txt", b"notes"), uploaded_by=agency_user
    )
    Attachment.objects.filter(pk=attachment.pk).update(name='..\\..\\x"\r\nSet-Cookie: a=b.txt')
    client.force_login(agency_user)
    download = client.get(reverse("learning:attachment", args=[attachment.uuid]))
    assert download["Content-Disposition"] == 'attachment; filename="xSet-Cookie a=b.txt"'
    assert "Set-Cookie" not in download.headers


def test_the_file_fields_tell_the_browser_and_the_person_what_is_accepted(
    client, agency_user, parents
):
    client.force_login(agency_user)
    page = client.get(parents["action"].get_absolute_url()).content.decode()
    assert 'accept=".pdf,.doc,.docx,.xls,.xlsx,.odt,.ods,.odp,.csv,.txt,.png,.jpg,.jpeg"' in page
    assert "PDF, Word, Excel, OpenDocument, CSV, plain text, PNG or JPEG, up to 20 MB." in page


# Where files are kept in production -----------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "warned"),
    [
        ({}, True),  # the default media/ inside the checkout
        ({"MEDIA_ROOT": "/srv/sscb/media"}, False),
        ({"STORAGE_BACKEND": "s3"}, False),
        ({"DEBUG": True}, False),
    ],
)
def test_uploads_kept_inside_the_checkout_are_warned_about_in_production(
    settings, overrides, warned
):
    from sscb import checks

    settings.DEBUG = False
    settings.STORAGE_BACKEND = "local"
    settings.MEDIA_ROOT = settings.BASE_DIR / "media"
    for name, value in overrides.items():
        setattr(settings, name, value)
    ids = [message.id for message in checks.uploads_kept_outside_the_checkout(None)]
    assert ids == (["sscb.W002"] if warned else [])
