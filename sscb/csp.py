"""The Content-Security-Policy header: django-csp's middleware, with the policy built once."""

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings

# What a view sets on its response to change the policy for it (django-csp's decorators).
POLICY_CHANGES = tuple(
    f"_csp_{change}{suffix}"
    for change in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, for a policy that is the same on every response: no page asks
    for a nonce (there is no inline script) and no view changes the policy, so the header is
    built once from ``CONTENT_SECURITY_POLICY``. django-csp built it again for each response,
    33 µs: a thirtieth of a signed-in request that renders nothing (issue 15). A response that
    asks for a nonce or changes the policy, every response while ``DEBUG`` is on, and all of
    them when the settings add a report-only policy or paths left out, are still given
    django-csp's own."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.policy = build_policy()
        self.same_for_all = not (
            settings.DEBUG
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or settings.CONTENT_SECURITY_POLICY.get("EXCLUDE_URL_PREFIXES")
        )

    def process_response(self, request, response):
        if (
            not self.same_for_all
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, change) for change in POLICY_CHANGES)
        ):
            return super().process_response(request, response)
        if HEADER not in response:
            response[HEADER] = self.policy
        return response
