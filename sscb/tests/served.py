"""A person's browser for the tests that serve the project as it is deployed, through gunicorn
(``test_sqlite_concurrency``, ``test_two_instances``): one jar of cookies whichever server it
asks, and forms posted with their token, files too."""

import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Person:
    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, base, path) -> tuple[int, str, bytes]:
        """The page at ``path`` on the server at ``base``, after any redirect: its status, its
        address and its content."""
        return self._open(base + path, timeout=30)

    def post(self, base, path, data, files=None) -> tuple[int, str, bytes]:
        """The form at ``path`` filled in with ``data`` (and ``files``: name to (filename,
        content)) and sent, as ``get`` answers."""
        _status, _url, page = self.get(base, path)
        fields = {"csrfmiddlewaretoken": TOKEN.search(page).group(1).decode(), **data}
        if files:
            boundary = uuid.uuid4().hex
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
                for name, value in fields.items()
            ]
            parts += [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
                + content
                + b"\r\n"
                for name, (filename, content) in files.items()
            ]
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            kind = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            kind = "application/x-www-form-urlencoded"
        headers = {"Content-Type": kind, "Referer": base + path}
        return self._open(urllib.request.Request(base + path, body, headers=headers), timeout=60)

    def _open(self, request, timeout) -> tuple[int, str, bytes]:
        try:
            response = self.opener.open(request, timeout=timeout)
            return response.status, response.geturl(), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read()
