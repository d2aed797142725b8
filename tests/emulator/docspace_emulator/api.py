"""The DocSpace API routes the emulator serves: the five SMTP endpoints and the login (docs/docspace-api.md §1-§6).

Order of events per request, as in ASP.NET: routing → authentication → rate limiter → authorization
(401 / scope 403, empty bodies) → the payment resource filter (empty 402) → model binding and validation
(400, per version) → the action (admin check 403, hidden-settings 402, constructor checks 400, then the work).
"""

import datetime
from typing import Any, Callable, Dict, Optional
from urllib.parse import parse_qs

from . import envelope
from .auth import COOKIE_NAME, Identity
from .binding import BOOLEAN, STRING, BindingFailed, Field, bind
from .http_types import Request, Response
from .portal import Portal
from .settings import SMTP_SETTINGS_TYPE, build_from_request

SMTP = "/api/2.0/smtpsettings/smtp"
SMTP_TEST = SMTP + "/test"
SMTP_TEST_STATUS = SMTP_TEST + "/status"
LOGIN = "/api/2.0/authentication"
# web/ASC.Web.Api/Api/Settings/VersionController.cs GetBuildVersions: [AllowAnonymous], [AllowNotPayment], since 2.0.
BUILD = "/api/2.0/settings/version/build"

LOGIN_FIELDS = [
    Field("userName", "UserName", STRING),
    Field("password", "Password", STRING),
    Field("passwordHash", "PasswordHash", STRING),
    Field("session", "Session", BOOLEAN),  # a plain bool: null cannot be bound (400)
    Field("culture", "Culture", STRING),
]
LOGIN_TYPE = "ASC.Web.Api.ApiModels.RequestsDto.AuthRequestsDto"
TOKEN_LIFETIME = datetime.timedelta(days=30)
SESSION_EXPIRES = "0001-01-01T00:00:00"

Action = Callable[[Portal, Request, Identity], Response]


def _ok(request: Request, response: Any) -> Response:
    """200 with the success envelope; honours ``?fields=a,b`` like DynamicIgnoreResolver."""
    wanted = parse_qs(request.query).get("fields")
    if wanted and isinstance(response, dict):
        names = {n.strip().lower() for n in ",".join(wanted).split(",") if n.strip()}
        response = {k: v for k, v in response.items() if k.lower() in names}
    return Response.api_json(200, envelope.success(response, request.url, request.method))


def _error(error: envelope.ApiError) -> Response:
    return Response.api_json(error.status, error.body())


def _check_smtp_permissions(portal: Portal, identity: Identity) -> None:
    """CheckSmtpPermissionsAsync: EditPortalSettings first, then the hide-settings switch."""
    if not identity.user.is_admin:
        raise envelope.access_denied()
    if portal.config_now.hide_smtp_settings:
        raise envelope.not_allowed_option()


def get_settings(portal: Portal, request: Request, identity: Identity) -> Response:
    """GET /smtp."""
    _check_smtp_permissions(portal, identity)
    return _ok(request, portal.settings_dto())


def save_settings(portal: Portal, request: Request, identity: Identity) -> Response:
    """POST /smtp: validation, null check, permissions, constructor checks, then a full replace."""
    try:
        body = bind(request.body, portal.version.smtp_settings_fields(), "inDto", SMTP_SETTINGS_TYPE)
    except BindingFailed as failed:
        return Response.api_json(400, envelope.validation_problem(failed.errors, request.url, request.method))
    if body is None:
        raise envelope.argument_null("inDto", "ASC.Web.Api.Controllers.Settings.SmtpSettingsController.SaveSmtpSettingsAsync(SmtpSettingsDto inDto)")
    _check_smtp_permissions(portal, identity)
    stored, response = build_from_request(body)
    portal.save_settings(stored)
    return _ok(request, response)


def reset_settings(portal: Portal, request: Request, identity: Identity) -> Response:
    """DELETE /smtp: idempotent, answers the defaults now in force."""
    _check_smtp_permissions(portal, identity)
    return _ok(request, portal.reset_settings())


def start_test(portal: Portal, request: Request, identity: Identity) -> Response:
    """GET /smtp/test: start (or join) the portal's job; the mail goes to the calling user."""
    _check_smtp_permissions(portal, identity)
    return _ok(request, portal.start_job(identity.user.email))


def test_status(portal: Portal, request: Request, identity: Identity) -> Response:
    """GET /smtp/test/status: destructive once completed; no job → envelope without response."""
    _check_smtp_permissions(portal, identity)
    return _ok(request, portal.job_status())


ROUTES: Dict[str, Dict[str, Action]] = {
    SMTP: {"GET": get_settings, "POST": save_settings, "DELETE": reset_settings},
    SMTP_TEST: {"GET": start_test},
    SMTP_TEST_STATUS: {"GET": test_status},
}


def _login(portal: Portal, request: Request) -> Response:
    """POST /authentication: token + asc_auth_key cookie, or 401 "User authentication failed"."""
    try:
        body = bind(request.body, LOGIN_FIELDS, "inDto", LOGIN_TYPE)
    except BindingFailed as failed:
        return Response.api_json(400, envelope.validation_problem(failed.errors, request.url, request.method))
    body = body or {}
    # AuthenticationController.cs trims both: (Password ?? "").Trim(). The emulator does not hash:
    # passwordHash is compared with the plain password.
    password = (body.get("passwordHash") or "").strip() or (body.get("password") or "").strip()
    user = portal.credentials.login(body.get("userName") or "", password)
    if user is None:
        return _error(envelope.authentication_failed())
    token = portal.credentials.issue_token(user)
    dto: Dict[str, Any] = {"token": token}
    cookie = f"{COOKIE_NAME}={token}; path=/; secure; samesite=none; httponly"
    if not body.get("session"):
        expires = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + TOKEN_LIFETIME
        dto["expires"] = f"{expires:%Y-%m-%dT%H:%M:%S}.0000000+00:00"  # .NET round-trip format
        cookie += f"; expires={expires.strftime('%a, %d %b %Y %H:%M:%S GMT')}"
    else:
        # AuthenticationTokenDto.Expires is a non-nullable DateTime: a session token shows default(DateTime).
        dto["expires"] = SESSION_EXPIRES
    dto.update({"sms": False, "tfa": False})
    response = _ok(request, dto)
    response.headers.append(("Set-Cookie", cookie))
    return response


def _build_version(portal: Portal) -> Dict[str, Any]:
    """web/ASC.Web.Api/Core/BuildVersion.cs: configuration's version:number, and the Document Server's version
    (null here: the emulator has none). CommunityServer, "old", was dropped in 3.1."""
    number = portal.version.text if portal.version.text.count(".") >= 2 else f"{portal.version.text}.0"
    build: Dict[str, Any] = {"docSpace": number}
    if not portal.version.has_api_keys:  # before 3.1
        build["communityServer"] = None
    build["documentServer"] = None
    return build


def _payment_required(portal: Portal, request: Request) -> bool:
    """common/ASC.Api.Core/Middleware/PaymentFilter.cs, a resource filter (after authorization, before binding).

    An empty 402 when the portal is not paid (or its installation has no valid licence), unless the
    request carries a ``Payment-Info`` header that is not "true" (the filter checks only when the header
    is missing, empty, or parses as true). The login has [AllowNotPayment]; the SMTP actions do not.
    """
    if not portal.not_paid():
        return False
    header = (request.header("Payment-Info") or "").strip()
    return not header or header.lower() == "true"


def route_of(path: str) -> Optional[str]:
    """The canonical route for a path (ASP.NET routing is case-insensitive and ignores a trailing slash)."""
    normalised = path.rstrip("/").lower() or "/"
    if normalised in ROUTES or normalised in (LOGIN, BUILD):
        return normalised
    return None


def handle(portal: Portal, request: Request) -> Response:
    """Answer one API request."""
    route = route_of(request.path)
    if route is None:
        return Response.empty(404)
    allowed = ["POST"] if route == LOGIN else ["GET"] if route == BUILD else list(ROUTES[route])
    if request.method not in allowed:
        return Response.empty(405, ("Allow", ", ".join(allowed)))
    try:
        if route == LOGIN:
            return _login(portal, request)
        if route == BUILD:
            return _ok(request, _build_version(portal))
        identity, basic = portal.credentials.authenticate(request)
        if route == SMTP_TEST:
            retry_after = portal.rate_limited(f"{identity.user.id if identity else request.client_ip}:{route}")
            if retry_after is not None:
                config = portal.config_now
                return Response.empty(429, ("Retry-After", str(retry_after)), ("X-RateLimit-Limit", str(config.rate_limit_max)),
                                      ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", str(retry_after)))
        if identity is None:
            return Response.empty(401, *([("WWW-Authenticate", 'Basic realm="DocSpace"')] if basic else []))
        if not identity.may(request.method):
            return Response.empty(403)
        if _payment_required(portal, request):
            return Response.empty(402)
        return ROUTES[route][request.method](portal, request, identity)
    except envelope.ApiError as error:
        return _error(error)
