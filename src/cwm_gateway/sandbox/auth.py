"""Who may call the stand-in: ConnectWise's Basic authentication (company+public:private) and clientId,
and the login endpoint that says where a company's API is."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cwm_gateway.sandbox.data import ApiError
from cwm_gateway.sandbox.wire import JSON_TYPE, RecordedRequest, Response, api_error, json_response


@dataclass
class Credentials:
    company_id: str
    public_key: str
    private_key: str
    client_id: str
    required: bool = True  # False: every request is let in

    @property
    def authorization(self) -> str:
        """The Authorization header value these credentials make."""
        token = f"{self.company_id}+{self.public_key}:{self.private_key}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")

    def accepts(self, header: str | None) -> bool:
        """Whether an Authorization header carries these credentials (the company matches in any case)."""
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        user, colon, private = decoded.partition(":")
        company, plus, public = user.partition("+")
        return bool(colon and plus) and (company.lower(), public, private) == (
            self.company_id.lower(),
            self.public_key,
            self.private_key,
        )

    def check(self, request: RecordedRequest) -> None:
        """Raise ConnectWise's 401 or 400 for a request without the right credentials or clientId."""
        if not self.required:
            return
        if not request.authorized:
            raise ApiError(401, {"code": "Unauthorized", "message": "Authentication failed."})
        if request.headers.get("clientid", "").strip().lower() != self.client_id.lower():
            raise api_error(400, "InvalidClientId", "clientId header is missing or invalid.")


def company_info(
    request: RecordedRequest, company: str, credentials: Credentials, codebase: str, site: str
) -> Response:
    """``GET /login/companyinfo/{company}``: the codebase and site of a company's API (no authentication)."""
    if request.method not in ("GET", "HEAD"):
        return json_response(
            405, {"message": f"The requested resource does not support http method '{request.method}'."}
        )
    if company.strip("/").lower() != credentials.company_id.lower():
        return Response(404, b"null", [("Content-Type", JSON_TYPE)])
    info = {
        "CompanyName": "Lab Tech Demo",
        "Codebase": codebase,
        "VersionCode": "v2025.1",
        "VersionNumber": "v4.6",
        "CompanyID": credentials.company_id,
        "IsCloud": False,
        "SiteUrl": site,
    }
    return json_response(200, info)
