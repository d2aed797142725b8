"""Mail providers the emulator plays, so that their relays and their refusals can be rehearsed offline.

A portal whose settings name one of PROVIDER_HOSTS has its test job sent to the emulator's STARTTLS listener
(whatever port it names, as for the installation default's host), with a certificate valid for that name.
There, the accounts of REFUSING_ACCOUNTS are refused at AUTH with the answer the provider gives when it no
longer takes a user name and password (sources in plugins/module_utils/_advisories.py and
docspace-smtp-api.md §8.4); the emulator's own accounts log in as on any other host.
"""

PROVIDER_HOSTS = ("smtp.office365.com", "smtp-legacy.office365.com", "smtp-mail.outlook.com", "smtp.gmail.com")

# login -> the SMTP reply to its AUTH, with any password
REFUSING_ACCOUNTS = {
    # SMTP AUTH basic authentication turned off for the tenant or the mailbox (the default for existing
    # Exchange Online tenants from the end of December 2026).
    "basic-auth-disabled@contoso.onmicrosoft.com":
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
    # After Microsoft's final removal of basic authentication for client submission.
    "basic-auth-removed@contoso.onmicrosoft.com":
        "550 5.7.30 Basic authentication is not supported for Client Submission.",
    # A Google account that needs an app password (2-Step Verification on, account password given).
    "no-app-password@example-workspace.com":
        "534 5.7.9 Application-specific password required.",
}
