#!/usr/bin/env python3
"""Imports the shared harmful-domain lists into crate/data/domains/.

Usage: python3 crate/tools/import_domains.py ../shared/data/domains crate/data/domains

One output file per (category, source), so each keeps its own licence:
hostsVN lists are MIT, UT1 lists CC BY-SA 4.0 (ShareAlike: derived files stay
CC BY-SA 4.0). Categories are mapped to Ô Che's: adult, lingerie, mixed adult,
dating -> sexual; gambling -> gambling; threat -> scam; drogue -> drugs;
agressif -> violence. The `child` and `sexual_education` lists are never
imported: they are false-positive probes.
"""
import os
import sys

HOSTSVN = ("hostsVN by BigDargon, MIT licence (Copyright (c) 2026 BigDargon); "
           "see crate/data/licenses/hostsVN-MIT.txt")
UT1 = ("UT1 blacklists, Fabrice Prigent, Universite Toulouse 1 Capitole "
       "(https://dsi.ut-capitole.fr/blacklists/), via github.com/olbat/ut1-blacklists; "
       "licensed CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/). "
       "Modified: subset of entries, lower-cased, de-duplicated, merged. This file stays CC BY-SA 4.0.")

PLAN = [
    ("sexual", "hostsvn", HOSTSVN, ["hostsvn-adult.txt", "hostsvn-adult-VN.txt"]),
    ("sexual", "ut1", UT1, ["ut1-mixed_adult.txt", "ut1-lingerie.txt", "ut1-dating.txt"]),
    ("gambling", "hostsvn", HOSTSVN, ["hostsvn-gambling.txt", "hostsvn-gambling-VN.txt"]),
    ("gambling", "ut1", UT1, ["ut1-gambling.txt"]),
    ("scam", "hostsvn", HOSTSVN, ["hostsvn-threat.txt", "hostsvn-threat-VN.txt"]),
    ("drugs", "ut1", UT1, ["ut1-drogue.txt"]),
    ("violence", "ut1", UT1, ["ut1-agressif.txt"]),
]


def main(src, dst):
    os.makedirs(dst, exist_ok=True)
    for category, source, notice, files in PLAN:
        seen, out = set(), []
        for f in files:
            for line in open(os.path.join(src, f), encoding="utf-8"):
                d = line.split("#", 1)[0].strip().lower().rstrip(".")
                if d.startswith("www.") and d.count(".") > 1:
                    d = d[4:]
                if d and d not in seen:
                    seen.add(d)
                    out.append(d)
        out.sort()
        path = os.path.join(dst, f"{category}.{source}.txt")
        with open(path, "w", encoding="utf-8") as w:
            w.write(f"# category: {category}\n# source: {', '.join(files)}\n# {notice}\n")
            w.write("\n".join(out) + "\n")
        print(f"{path}: {len(out)} domains")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
