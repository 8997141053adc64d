"""List what the English catalog still needs after `make messages`.

Prints every entry of locale/en/LC_MESSAGES/django.po that is untranslated,
fuzzy, or whose placeholders (%(name)s, %s, {0}) or line breaks differ from the
Chinese msgid, with the source lines it comes from; exits 1 if there is any.
Needs only the standard library (tests/test_i18n.py checks the same in CI).

    python scripts/translate_check.py [path/to/django.po]
"""

import re
import sys
from pathlib import Path

DEFAULT_PO = Path(__file__).resolve().parent.parent / "locale/en/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|\{\w*\}")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def unquote(line: str) -> str:
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), body)


def parse_po(path: Path) -> list[dict]:
    """Entries of a gettext-written .po file (separated by blank lines)."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry: dict = {"flags": set(), "refs": []}
        field = None
        for raw in block.strip().splitlines():
            line = raw.strip()
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#:"):
                entry["refs"] += line[2:].split()
            elif line.startswith("#"):
                continue  # comments and obsolete (#~) entries
            elif line.startswith('"'):
                entry[field] += unquote(line)
            else:
                field = line.split(" ", 1)[0]
                entry[field] = unquote(line)
        if entry.get("msgid"):  # the header's msgid is empty
            entries.append(entry)
    return entries


def problems(entry: dict) -> list[str]:
    msgid = entry["msgid"]
    msgstrs = [v for k, v in entry.items() if k.startswith("msgstr")]
    found = []
    if not msgstrs or not all(msgstrs):
        found.append("untranslated")
    if "fuzzy" in entry["flags"]:
        found.append("fuzzy")
    want = sorted(PLACEHOLDER.findall(msgid))
    if any(s and sorted(PLACEHOLDER.findall(s)) != want for s in msgstrs):
        found.append("placeholders differ")
    if any(s and (s.count("\n") != msgid.count("\n")) for s in msgstrs):
        found.append("line breaks differ")
    return found


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PO
    entries = parse_po(path)
    bad = [(e, p) for e in entries if (p := problems(e))]
    for entry, found in bad:
        where = " ".join(entry["refs"][:3])
        print(f"{', '.join(found)}: {entry['msgid']!r}  ({where})")
    print(f"{len(entries)} strings, {len(bad)} to fix in {path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
