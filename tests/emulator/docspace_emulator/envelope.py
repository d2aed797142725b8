"""DocSpace response bodies: the success envelope, the error envelope and validation problems (docs/docspace-api.md §1)."""

import json
import secrets
from typing import Any, Optional

# HRESULTs of the .NET exception types the SMTP and login endpoints raise.
HRESULT_ARGUMENT = -2147024809       # COR_E_ARGUMENT
HRESULT_ARGUMENT_NULL = -2147467261  # E_POINTER, ArgumentNullException
HRESULT_EXCEPTION = -2146233088      # COR_E_EXCEPTION, plain Exception subclasses


class ApiError(Exception):
    """An exception as DocSpace's CustomExceptionHandler turns it into an HTTP answer."""

    def __init__(self, status: int, message: str, type_name: Optional[str], hresult: int, stack: Optional[str]) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type_name = type_name
        self.hresult = hresult
        self.stack = stack

    def body(self) -> dict:
        """The error envelope; written with the HTTP JSON options, so null members are kept."""
        return {
            "error": {"message": self.message, "type": self.type_name, "stack": self.stack, "hresult": self.hresult},
            "status": 1,
            "statusCode": self.status,
        }


def _stack(*frames: str) -> str:
    return "\n".join(f"   at {frame}" for frame in frames)


def argument_error(message: str, param: str, where: str = "ASC.Core.Configuration.SmtpSettings..ctor") -> ApiError:
    """ArgumentException → 400; .NET appends the parameter name to the message."""
    return ApiError(400, f"{message} (Parameter '{param}')", "System.ArgumentException", HRESULT_ARGUMENT,
                    _stack(where, "ASC.Web.Api.Controllers.Settings.SmtpSettingsController.SaveSmtpSettingsAsync(SmtpSettingsDto inDto)"))


def argument_null(param: str, where: str = "ASC.Core.Configuration.SmtpSettings..ctor") -> ApiError:
    """ArgumentNullException → 400 "Value cannot be null. (Parameter '...')"."""
    return ApiError(400, f"Value cannot be null. (Parameter '{param}')", "System.ArgumentNullException", HRESULT_ARGUMENT_NULL,
                    _stack("System.ArgumentNullException.Throw(String paramName)", where))


def access_denied() -> ApiError:
    """AuthorizingException from DemandPermissionsAsync(EditPortalSettings) → 403 "Access denied"."""
    return ApiError(403, "Access denied", "ASC.Common.Security.Authorizing.AuthorizingException", HRESULT_EXCEPTION,
                    _stack("ASC.Core.Security.Authorizing.PermissionContext.DemandPermissionsAsync(IAction[] actions)",
                           "ASC.Web.Api.Controllers.Settings.SmtpSettingsController.CheckSmtpPermissionsAsync()"))


def not_allowed_option() -> ApiError:
    """BillingException when the installation hides SmtpSettings → 402."""
    return ApiError(402, "Your pricing plan does not support this option", "ASC.Core.Billing.BillingException", HRESULT_EXCEPTION,
                    _stack("ASC.Web.Api.Controllers.Settings.SmtpSettingsController.CheckSmtpPermissionsAsync()"))


def authentication_failed() -> ApiError:
    """AuthenticationException from the login → 401; type and stack are not disclosed for it."""
    return ApiError(401, "User authentication failed", None, 0, None)


def server_error(status: int, message: str) -> ApiError:
    """A generic failure, used by fault injection ("status" kind)."""
    return ApiError(status, message, "System.Exception", HRESULT_EXCEPTION, _stack("ASC.Api.Core.Middleware.ResponseWrapper"))


def success(response: Any, href: str, method: str, status_code: int = 200) -> dict:
    """The success envelope: ``response`` omitted (and count 0) when the action returned null."""
    body: dict = {}
    if response is not None:
        body["response"] = response
    body["count"] = 0 if response is None else (len(response) if isinstance(response, list) else 1)
    body["links"] = [{"href": href, "action": method}]
    body["status"] = 0
    body["statusCode"] = status_code
    return body


def trace_id() -> str:
    """A W3C trace id, as ASP.NET puts into problem details."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"


def validation_problem(errors: "dict[str, list[str]]", href: str, method: str) -> dict:
    """A ValidationProblemDetails wrapped in the success-style envelope with status 1 / statusCode 400."""
    problem = {
        "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        "title": "One or more validation errors occurred.",
        "status": 400,
        "errors": errors,
        "traceId": trace_id(),
    }
    body = success(problem, href, method, status_code=400)
    body["status"] = 1
    return body


def dumps(body: Any) -> bytes:
    """Compact UTF-8 JSON, like System.Text.Json writes it."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
