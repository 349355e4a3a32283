#!/usr/bin/env python3
"""Makes the edited CVRF fixtures from Microsoft's real documents (README.md).

Run from this folder: python3 make-fixtures.py
Writes cvrfDocument-2026-Oct-edited.xml.gz, cvrfDocument-early-edited.xml.gz
and cvrfDocument-2026-Jan.json.gz. Output is deterministic (gzip mtime 0).
"""
import datetime
import gzip
import json
import re
import xml.etree.ElementTree as ET

NS = {
    "cvrf": "http://www.icasi.org/CVRF/schema/cvrf/1.1",
    "prod": "http://www.icasi.org/CVRF/schema/prod/1.1",
    "vuln": "http://www.icasi.org/CVRF/schema/vuln/1.1",
}
WINDOWS = ("Windows 10 ", "Windows 11 ", "Windows Server ")
REMEDIATION = re.compile(r"<vuln:Remediation .*?</vuln:Remediation>", re.S)


def read(name):
    with gzip.open(name, "rt", encoding="utf-8") as f:
        return f.read()


def write(name, text):
    with open(name, "wb") as f:
        f.write(gzip.compress(text.encode("utf-8"), mtime=0))


def windows_product_ids(text):
    root = ET.fromstring(text)
    return {
        p.get("ProductID")
        for p in root.iter("{%s}FullProductName" % NS["prod"])
        if (p.text or "").startswith(WINDOWS)
    }


def october(text):
    """2026-Mar moved to 2026-Oct: every timestamp +217 days (2026-03-10 ->
    2026-10-13, a Patch Tuesday), every Windows FixedBuild 10.0.B.U -> U+2000,
    its KB number +60000 in Description, URL and SubType."""
    shift = datetime.timedelta(days=217)

    def move(m):
        t = datetime.datetime.strptime(m.group(0), "%Y-%m-%dT%H:%M:%S")
        return (t + shift).strftime("%Y-%m-%dT%H:%M:%S")

    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", move, text)
    text = text.replace("<cvrf:ID>2026-Mar</cvrf:ID>", "<cvrf:ID>2026-Oct</cvrf:ID>")
    text = text.replace("<cvrf:Alias>2026-Mar</cvrf:Alias>", "<cvrf:Alias>2026-Oct</cvrf:Alias>")
    text = text.replace("March 2026 Security Updates", "October 2026 Security Updates")
    kbs = {}

    def rebuild(m):
        block = m.group(0)
        fb = re.search(r"<vuln:FixedBuild>10\.0\.(\d+)\.(\d+)</vuln:FixedBuild>", block)
        kb = re.search(r"<vuln:Description>(\d+)</vuln:Description>", block)
        if not fb or not kb:
            return block
        kbs[kb.group(1)] = str(int(kb.group(1)) + 60000)
        block = block.replace(fb.group(0), "<vuln:FixedBuild>10.0.%s.%d</vuln:FixedBuild>" % (fb.group(1), int(fb.group(2)) + 2000))
        return block

    text = REMEDIATION.sub(rebuild, text)

    def rekb(m):
        block = m.group(0)
        for old, new in kbs.items():
            block = re.sub(r"(?<![0-9])%s(?![0-9])" % old, new, block)
        return block

    return REMEDIATION.sub(rekb, text)


def early(text):
    """2026-Mar with every remediation that names a Windows product dropped,
    the shape of an "Early Security Updates" document."""
    ids = windows_product_ids(text)

    def drop(m):
        block = m.group(0)
        named = set(re.findall(r"<vuln:ProductID>([^<]+)</vuln:ProductID>", block))
        return "" if named & ids else block

    return REMEDIATION.sub(drop, text)


def value(s):
    return {"Value": s}


def as_json(text):
    """The document in the API's JSON form (application/json), as Microsoft's
    MsrcSecurityUpdates module reads it: text fields as {"Value": ...},
    ProductTree.Branch[].Items[], Remediations[].Type a number (Vendor Fix 2).
    SubType and FixedBuild are plain strings, release dates end in Z.
    Notes, threats and scores are left out."""
    root = ET.fromstring(text)
    q = lambda path: root.find(path, NS)
    types = {"Workaround": 0, "Mitigation": 1, "Vendor Fix": 2, "None Available": 3, "Will Not Fix": 4, "Release Notes": 5, "Known Issue": 6}

    def branch(b):
        items = [branch(c) for c in b.findall("prod:Branch", NS)]
        items += [{"ProductID": p.get("ProductID"), "Value": p.text} for p in b.findall("prod:FullProductName", NS)]
        return {"Type": 0, "Name": b.get("Name"), "Items": items}

    tree = q("prod:ProductTree")
    doc = {
        "DocumentTitle": value(q("cvrf:DocumentTitle").text),
        "DocumentType": value(q("cvrf:DocumentType").text),
        "DocumentTracking": {
            "Identification": {
                "ID": value(q("cvrf:DocumentTracking/cvrf:Identification/cvrf:ID").text),
                "Alias": value(q("cvrf:DocumentTracking/cvrf:Identification/cvrf:Alias").text),
            },
            "Status": 2,
            "Version": q("cvrf:DocumentTracking/cvrf:Version").text,
            "InitialReleaseDate": q("cvrf:DocumentTracking/cvrf:InitialReleaseDate").text + "Z",
            "CurrentReleaseDate": q("cvrf:DocumentTracking/cvrf:CurrentReleaseDate").text + "Z",
        },
        "ProductTree": {
            "Branch": [branch(b) for b in tree.findall("prod:Branch", NS)],
            "FullProductName": [{"ProductID": p.get("ProductID"), "Value": p.text} for p in tree.findall("prod:FullProductName", NS)],
        },
        "Vulnerability": [],
    }
    for v in root.findall("vuln:Vulnerability", NS):
        rems = []
        for r in v.findall("vuln:Remediations/vuln:Remediation", NS):
            rem = {
                "Description": value(r.findtext("vuln:Description", "", NS)),
                "URL": r.findtext("vuln:URL", "", NS),
                "ProductID": [p.text for p in r.findall("vuln:ProductID", NS)],
                "Type": types[r.get("Type")],
                "SubType": r.findtext("vuln:SubType", "", NS),
            }
            if r.find("vuln:FixedBuild", NS) is not None:
                rem["FixedBuild"] = r.findtext("vuln:FixedBuild", "", NS)
            rems.append(rem)
        doc["Vulnerability"].append({
            "Title": value(v.findtext("vuln:Title", "", NS)),
            "CVE": v.findtext("vuln:CVE", "", NS),
            "RevisionHistory": [
                {"Number": r.findtext("cvrf:Number", "", NS), "Date": r.findtext("cvrf:Date", "", NS), "Description": value(r.findtext("cvrf:Description", "", NS))}
                for r in v.findall("vuln:RevisionHistory/vuln:Revision", NS)
            ],
            "Remediations": rems,
        })
    return json.dumps(doc, separators=(",", ":"))


mar = read("cvrfDocument-2026-Mar.xml.gz")
write("cvrfDocument-2026-Oct-edited.xml.gz", october(mar))
write("cvrfDocument-early-edited.xml.gz", early(mar))
write("cvrfDocument-2026-Jan.json.gz", as_json(read("cvrfDocument-2026-Jan.xml.gz")))
