#!/usr/bin/env python3
"""Rewrites kev-edited.json.gz from the real catalogue: the same every run.

Adds three entries for the Windows CVEs that the CVRF documents in
../cvrf/ mark "Exploited:Yes" (threat type Exploit Status), dated the
document's release day, so tests have KEV entries whose fixes the CVRF
months hold. The August 2025 catalogue has none: its entries are all older.
"""
import gzip, json

ADDED = [
    ("CVE-2025-62215", "Windows", "Microsoft Windows Kernel Race Condition Vulnerability (fixture)", "2025-11-11", "2025-12-02"),
    ("CVE-2025-62221", "Windows", "Microsoft Windows Cloud Files Mini Filter Driver Use-After-Free Vulnerability (fixture)", "2025-12-09", "2025-12-30"),
    ("CVE-2026-20805", "Windows", "Microsoft Windows Desktop Window Manager Information Disclosure Vulnerability (fixture)", "2026-01-13", "2026-02-03"),
]

with gzip.open("known_exploited_vulnerabilities.json.gz") as f:
    cat = json.load(f)
cat["catalogVersion"] = "2026.11.24-edited"
cat["dateReleased"] = "2026-11-24T17:00:00.0000Z"
for cve, product, name, added, due in ADDED:
    cat["vulnerabilities"].insert(0, {
        "cveID": cve, "vendorProject": "Microsoft", "product": product, "vulnerabilityName": name,
        "dateAdded": added, "shortDescription": "Test fixture entry.", "requiredAction": "Apply mitigations per vendor instructions.",
        "dueDate": due, "knownRansomwareCampaignUse": "Unknown", "notes": "", "cwes": [],
    })
cat["count"] = len(cat["vulnerabilities"])
with gzip.GzipFile("kev-edited.json.gz", "wb", mtime=0) as f:
    f.write(json.dumps(cat, indent=2, ensure_ascii=False).encode())
