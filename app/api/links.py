"""Public links of a credential: the learner's download link and the employer's verification page."""

from __future__ import annotations

from app.db.models import Credential


def links(origin: str, row: Credential) -> dict:
    return {
        "credential": f"{origin}/credentials/{row.id}",
        "download": f"{origin}/download/{row.download_token}",
        "verification": f"{origin}/v/{row.verify_token}",
        "qrCode": f"{origin}/v/{row.verify_token}/qr.png",
        "printable": f"{origin}/v/{row.verify_token}/print",
    }
