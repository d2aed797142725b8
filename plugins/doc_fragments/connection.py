# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection options shared by every module of onlyoffice.docspace."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    """The connection options; the argument spec lives in module_utils/_module.py."""

    DOCUMENTATION = r"""
options:
  base_url:
    description:
      - Root address of the DocSpace portal, V(http://) or V(https://) followed by the host, an optional
        port and an optional path prefix, for example V(https://docspace.example.com).
      - A trailing V(/) is accepted. Anything else (another scheme, a query string, credentials in the URL,
        control characters, more than 2048 characters) is an error raised before any request is sent. The
        message shows the value shortened and without its query string or credentials.
      - V(http://) to a host that is not this machine (C(localhost), C(127.0.0.1), C(::1)) draws a warning,
        because the API key or password, and an SMTP password, would cross the network in clear text.
      - Required. If not set, the value of the E(DOCSPACE_BASE_URL) environment variable is used; a task
        without either fails before any request, naming both.
    type: str
  api_key:
    description:
      - A DocSpace API key (personal access token, it starts with V(sk-)) of a DocSpace owner or admin,
        sent as an C(Authorization) header with the C(Bearer) scheme. Reading needs read scope; writing needs write scope.
      - API keys exist from DocSpace 3.1 on; older servers answer them with HTTP 401, and the error says so.
        Log in with O(auth_username) and O(auth_password) there, which works from DocSpace 2.0 on.
      - Mutually exclusive with O(auth_username) and O(auth_password); one of O(api_key) or
        O(auth_username) is required.
      - If not set, the value of the E(DOCSPACE_API_KEY) environment variable is used.
    type: str
  auth_username:
    description:
      - E-mail address of a DocSpace owner or admin, for a login with C(POST /api/2.0/authentication).
        The token of that login is used for the rest of the task; accounts with two-factor
        authentication need O(api_key) instead.
      - Requires O(auth_password).
      - If not set, the value of the E(DOCSPACE_AUTH_USERNAME) environment variable is used.
    type: str
  auth_password:
    description:
      - Password of O(auth_username).
      - If not set, the value of the E(DOCSPACE_AUTH_PASSWORD) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the portal's TLS certificate.
      - Set O(ca_path) rather than turning this off when the portal uses a private CA.
      - V(false) together with O(ca_path) draws a warning, because O(ca_path) is then ignored.
      - If not set, the value of the E(DOCSPACE_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM bundle of the certificate authorities to trust for the portal, instead of the bundle of the
        C(certifi) package that C(requests) uses by default. A path that does not exist is an error.
      - E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE) are ignored; this option is the only way to change the CAs.
      - If not set, the value of the E(DOCSPACE_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for the portal in each HTTP request, for the connection, for each read, and
        (plus one second) for the whole answer, so that a server sending one byte at a time cannot hold
        a task. An answer larger than 4 MiB (after decompression) is refused.
      - Passing failures (connection refused or reset, no connection within O(timeout), HTTP 502, 503
        and 504, HTTP 429 with a C(Retry-After) of at most 30 seconds) of reads, saves and resets are
        retried three times with a growing pause. A name that does not resolve, a TLS failure and a request
        whose answer did not arrive in time are not repeated.
    type: int
    default: 30
  ready_timeout:
    description:
      - Seconds to wait, before the task's first request, for a portal that is still starting, as a portal
        just installed or created is - V(0) waits not at all.
      - The task polls DocSpace's anonymous C(GET /api/2.0/settings/version/build), sending no credentials,
        at a growing pace (1 s up to 5 s between polls), while nothing accepts the connection, the proxy
        in front of DocSpace answers HTTP 502, 503 or 504, or the web front end serves its start page (an HTML
        page) where the API should answer. Any other answer ends the wait at once - the API's, or a failure
        such as HTTP 401, 402, 403, 404, a name that does not resolve or a TLS error.
      - When the time runs out, the task fails with how long it waited and the last answer in words. Check
        mode waits the same way (the polls are reads). The seconds waited are returned as RV(ready_after).
    type: int
    default: 0
  option_names:
    description:
      - How messages name this module's options, for a role or wrapper that sets them from variables of its
        own - a mapping from an option name to the name to show, for example V(host) to V(docspace_smtp_host).
        Options it leaves out keep their names.
      - The role C(onlyoffice.docspace.smtp) sets it to its variables. It changes nothing else.
    type: dict
  from_variables:
    description:
      - Options to take from variables, by name - a mapping from an option name to the name of a variable, for
        example V(host) to V(docspace_smtp_host). An option whose variable is defined takes that variable's
        value, over the task's own value and C(module_defaults); an option whose variable is not defined is
        left to them, to its environment variable and to its default, as if the mapping did not name it.
      - Messages then name each of these options by its variable, unless O(option_names) says otherwise.
      - Read on the controller, from the variables of the host the task runs for, before the module starts.
        The role C(onlyoffice.docspace.smtp) passes its variables this way, so that its tasks render no
        template per option - each template costs a forked worker a few milliseconds.
    type: dict
requirements:
  - requests
notes:
  - An environment variable that is set but empty counts as not set, for every option above that reads one.
    AWX and Automation Platform render an empty credential field as an empty string in their injectors, so
    a credential with an API key and no login sets E(DOCSPACE_AUTH_USERNAME) to V("").
  - The API calls are made from the host that runs the task, normally the controller
    (C(delegate_to) V(localhost)), so that inventory hosts can be the portals themselves.
  - No message, warning, diff or return value contains O(api_key), O(auth_password), the login token, an
    SMTP password or credentials written into O(base_url), also not when the portal echoes them back
    escaped, encoded or cut short.
  - The proxy variables E(HTTPS_PROXY), E(HTTP_PROXY), E(ALL_PROXY) (and their lower-case forms) apply,
    with E(NO_PROXY); a failure through a proxy names the proxy and its variable. C(~/.netrc) (E(NETRC))
    is never read, so it cannot replace the credentials given here.
  - The environment fallbacks apply to every task that leaves the option unset. With E(DOCSPACE_API_KEY)
    exported, a task that logs in with O(auth_username) fails because both methods are given, and the
    message names the variable; unset it (or leave it empty) for such runs. Export secrets in the controller's environment rather than through a task's
    C(environment) keyword, which Ansible shows at C(-vvv).
"""
