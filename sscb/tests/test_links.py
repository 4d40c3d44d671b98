"""No page offers a person a link they may not follow: every link on every page a role can open
answers that role without a refusal (403, 404, 405) or an error (issue 16: "the collate page is
offered" to an agency lead who is then refused).

The pages are the access matrix's: each named URL's variants that answer the role with a 200
HTML page in the matrix's world (the Django admin's pages, the Business Unit's alone, are left
to the admin's own tests). Each distinct link is followed once per role.
"""

import re

import pytest

from sscb.tests.test_access_matrix import (  # noqa: F401 (the matrix's world and clients)
    OK,
    URL_NAMES,
    checks_for,
    clients,
    url_for,
    world,
)

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)')
NOT_FOLLOWED = ("/static/", "/media/", "/admin/", "/accounts/logout/")


def pages_for(world, short) -> list[str]:  # noqa: F811
    urls = []
    for name in URL_NAMES:
        if name.startswith("admin:"):
            continue
        for check in checks_for(name) or []:
            if check.method == "GET" and check.expect[short] == OK:
                urls.append(url_for(world, name, check))
    return urls


@pytest.mark.parametrize("short", ["anon", "bu", "member", "outsider", "exec", "lead", "reviewer"])
def test_every_link_a_role_is_offered_answers_them(world, clients, short):  # noqa: F811
    client = clients[short]
    links, seen_on = set(), {}
    for url in pages_for(world, short):
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for href in HREF.findall(response.content.decode()):
            href = href.replace("&amp;", "&")
            if not href.startswith(NOT_FOLLOWED) and href not in links:
                links.add(href)
                seen_on[href] = url
    broken = []
    for href in sorted(links):
        status = client.get(href).status_code
        if status >= 400:
            broken.append(f"{href} answers {status} (linked from {seen_on[href]})")
    print(f"{short}: {len(links)} links")
    assert links
    assert not broken, f"{short} is offered {len(broken)} links they cannot follow:\n" + "\n".join(
        broken
    )
