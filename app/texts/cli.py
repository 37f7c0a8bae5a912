"""What ``mcred issue-csv`` prints, in English or Latvian (the locale: app.texts.problems.command_language)."""

from __future__ import annotations

LINES: dict[str, tuple[str, str]] = {  # key: (en, lv)
    "checked": ("{file}: {total} rows checked, nothing issued; {valid} valid, {invalid} invalid.",
                "{file}: pārbaudītas {total} rindas, nekas nav izsniegts; derīgas {valid}, nederīgas {invalid}."),
    "refused": ("{file}: {total} rows refused: nothing issued (--all-or-nothing); {valid} valid, {invalid} invalid.",
                "{file}: {total} rindas noraidītas, nekas nav izsniegts (--all-or-nothing); derīgas {valid}, "
                "nederīgas {invalid}."),
    "nothing": ("{file}: {total} rows nothing issued; {valid} valid, {invalid} invalid.",
                "{file}: {total} rindas, nekas nav izsniegts; derīgas {valid}, nederīgas {invalid}."),
    "issued": ("{file}: {issued} of {total} rows issued, {failed} failed, in {seconds:.1f} s ({rate:.1f} "
               "credentials/s); batch {batch}.",
               "{file}: izsniegtas {issued} no {total} rindām, neizdevās {failed}, {seconds:.1f} s ({rate:.1f} "
               "mikrokvalifikācijas/s); partija {batch}."),
    "row": ("  row {row}: {column}: {message}", "  {row}. rinda: {column}: {message}"),
    "more": ("  ... and {count} more", "  ... un vēl {count}"),
    "report": ("failed rows: {path}", "neizdevušās rindas: {path}"),
    "results": ("results: {path}", "rezultāti: {path}"),
    "undelivered": ("{count} e-mails not delivered yet: a running `mcred worker` retries them (see the results).",
                    "{count} e-pasta vēstules vēl nav nosūtītas: strādājošs `mcred worker` mēģinās vēlreiz (skatiet "
                    "rezultātus)."),
}


def line(lang: str, key: str, **values) -> str:
    en, lv = LINES[key]
    return (lv if lang == "lv" else en).format(**values)
