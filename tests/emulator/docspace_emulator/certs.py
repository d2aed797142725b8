"""Throw-away certificate authorities (trustme) for the portals' HTTPS and the SMTP listeners.

Three CAs: one for the portals, one the portals' SMTP client trusts (like a public CA), and one nobody
trusts, used by the ``smtps_untrusted`` listener to produce a TLS failure on purpose.
"""

import os
import ssl

import trustme

from .providers import PROVIDER_HOSTS

# Names the certificates are valid for: loopback and the emulator's own pseudo-domain.
IDENTITIES = ("127.0.0.1", "localhost", "docspace.test", "*.docspace.test")


class CertificateSet:
    """The three CAs, one leaf certificate each, and the PEM files tests need."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.portal_ca = trustme.CA(organization_name="DocSpace emulator portal CA")
        self.smtp_ca = trustme.CA(organization_name="DocSpace emulator SMTP CA")
        self.untrusted_ca = trustme.CA(organization_name="DocSpace emulator untrusted CA")
        self._portal_cert = self.portal_ca.issue_cert(*IDENTITIES)
        # The SMTP listeners also play the mail providers' submission hosts (providers.py).
        self._smtp_cert = self.smtp_ca.issue_cert(*IDENTITIES, *PROVIDER_HOSTS)
        self._untrusted_cert = self.untrusted_ca.issue_cert(*IDENTITIES)
        self.portal_ca_path = os.path.join(directory, "portal-ca.pem")
        self.smtp_ca_path = os.path.join(directory, "smtp-ca.pem")
        self.untrusted_ca_path = os.path.join(directory, "smtp-untrusted-ca.pem")
        self.portal_ca.cert_pem.write_to_path(self.portal_ca_path)
        self.smtp_ca.cert_pem.write_to_path(self.smtp_ca_path)
        self.untrusted_ca.cert_pem.write_to_path(self.untrusted_ca_path)

    def portal_server_context(self) -> ssl.SSLContext:
        """TLS server context for the portals' HTTPS listeners."""
        return self._server_context(self._portal_cert)

    def smtp_server_context(self, trusted: bool = True) -> ssl.SSLContext:
        """TLS server context for an SMTP listener (trusted by the portals or not)."""
        return self._server_context(self._smtp_cert if trusted else self._untrusted_cert)

    def smtp_client_context(self) -> ssl.SSLContext:
        """What the portals' test job verifies SMTP servers with: the emulator SMTP CA, hostname checked."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
        self.smtp_ca.configure_trust(context)
        return context

    @staticmethod
    def _server_context(cert: "trustme.LeafCert") -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(context)
        return context
