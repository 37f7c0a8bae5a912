"""Public links of a credential: the learner's page (download link) and the employer's verification page."""

from __future__ import annotations

from app.db.models import Credential


def links(origin: str, row: Credential) -> dict:
    """``download``: the learner's page (the signed file, the certificate, the link and QR code to share);
    ``credentialFile``: the signed credential itself; ``verification``: the page behind the QR code;
    ``certificate``: the one-page PDF certificate."""
    return {
        "credential": f"{origin}/credentials/{row.id}",
        "download": f"{origin}/download/{row.download_token}",
        "credentialFile": f"{origin}/download/{row.download_token}/credential.jsonld",
        "verification": f"{origin}/v/{row.verify_token}",
        "qrCode": f"{origin}/v/{row.verify_token}/qr.png",
        "certificate": f"{origin}/v/{row.verify_token}/certificate.pdf",
    }
