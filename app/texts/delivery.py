"""The e-mail that gives a learner the link to their micro-credential (app.delivery), in Latvian and English.

One message in both languages, Latvian first: the institution does not know which its learner reads. It names the
institution and the title, gives the learner's own page (the certificate, the signed file, the link to share) and
the verification page, and says which of the two to share.
"""

from __future__ import annotations

SUBJECT = "Jūsu mikrokvalifikācija / Your micro-credential: {title}"

BODY = """\
Labdien, {name_lv}!

Jums ir izsniegta mikrokvalifikācija „{title_lv}”. Izsniedzējs: {institution_lv}.

Jūsu lapa: PDF sertifikāts, parakstītais fails un saite kopīgošanai:
{download}

Darba devēji un citi to var pārbaudīt šeit (šo saiti var kopīgot):
{verification}

Saite uz Jūsu lapu ir domāta tikai Jums: citiem sūtiet pārbaudes saiti.
Šis ir automātisks paziņojums; ar jautājumiem vērsieties pie iestādes{contact_lv}.

---

Hello {name_en},

{institution_en} has issued you the micro-credential "{title_en}".

Your page: the PDF certificate, the signed file and a link to share:
{download}

Employers and others can verify it here (this link can be shared):
{verification}

The link to your page is meant for you alone: send others the verification link.
This is an automatic message; for questions, contact the institution{contact_en}.
"""


def contact(email: str | None) -> tuple[str, str]:
    """The institution's address as the message gives it, in Latvian and English ("" when it has none)."""
    return (f" ({email})", f" ({email})") if email else ("", "")
