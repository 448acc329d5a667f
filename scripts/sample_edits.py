"""Edits of generated sample files shared by the demo (scripts/demo.sh), the browser walk
(Tests/Browser/portal_walkthrough.py) and the benchmarks: valid credit codes, and penalties refiled
as individual businesses (个体工商户) under a registration number (工商注册号)."""

import csv

# GB 32100's alphabet: a character's value is its index.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(first8, organisation8):
    """A unified social credit code (GB 32100) from its first eight characters (authority,
    category, division) and an organisation code's eight, both check characters computed: the
    organisation code's (GB 11714) and the whole code's."""
    value = lambda c: int(c) if c.isdigit() else ord(c) - ord("A") + 10
    s = sum(value(c) * w for c, w in zip(organisation8, [3, 7, 9, 10, 5, 8, 4, 2]))
    check = 11 - s % 11
    first17 = first8 + organisation8 + ("X" if check == 10 else "0" if check == 11 else str(check))
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]))
    return first17 + ALPHABET[(31 - total % 31) % 31]


def refile_as_businesses(path, plan):
    """Rewrites a penalty CSV generated with `--header codes` (UTF-8, CRLF): its first rows become
    the individual businesses of `plan`, one (name, credit code or "", registration number,
    decision number) each, with no ID number."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0].keys())
    for row, (name, credit, registration, number) in zip(rows, plan):
        row.update({"CF_XDR_MC": name, "CF_XDR_LB": "个体工商户", "CF_XDR_SHXYM": credit, "CF_XDR_GSZC": registration, "CF_WSH": number,
                    "CF_XDR_ZJLX": "", "CF_XDR_ZJHM": "", "CF_FR_ZJLX": "", "CF_FR_ZJHM": ""})
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def set_fields(path, changes):
    """Rewrites a CSV generated with `--header codes`: its first rows take the values of `changes`,
    one dict of column → value per row; the file keeps only those rows."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0].keys())
    kept = [dict(row, **change) for row, change in zip(rows, changes)]
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(kept)
