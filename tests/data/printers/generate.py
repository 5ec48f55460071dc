#!/usr/bin/env python3
"""Writes the synthetic printers the demo, discovery tests and benchmarks serve with snmpsim.

Our own data, modelled on the standard MIBs (RFC 3805 Printer-MIB, RFC 2790 Host-Resources,
PWG Imaging System Counter MIB) plus a few vendor OIDs. Re-run after editing:
    python3 tests/data/printers/generate.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def octets(s):
    return "4x|" + s.encode("utf-8").hex()


def printer(name, descr, sysoid, mac, serial, model, total, supplies, trays, errors=b"\x00\x00",
            status=(2, 1), console="Ready", extra=()):
    rows = [
        ("1.3.6.1.2.1.1.1.0", "4|" + descr),
        ("1.3.6.1.2.1.1.2.0", "6|" + sysoid),
        ("1.3.6.1.2.1.1.3.0", "67|8640000"),
        ("1.3.6.1.2.1.1.5.0", "4|" + name),
        ("1.3.6.1.2.1.2.2.1.2.1", "4|Ethernet"),
        ("1.3.6.1.2.1.2.2.1.6.1", "4x|" + mac.replace(":", "")),
        ("1.3.6.1.2.1.25.3.2.1.2.1", "6|1.3.6.1.2.1.25.3.1.5"),
        ("1.3.6.1.2.1.25.3.2.1.3.1", "4|" + model),
        ("1.3.6.1.2.1.25.3.2.1.5.1", "2|%d" % status[0]),
        ("1.3.6.1.2.1.25.3.5.1.1.1", "2|%d" % status[1]),
        ("1.3.6.1.2.1.25.3.5.1.2.1", "4x|" + errors.hex()),
        ("1.3.6.1.2.1.43.5.1.1.17.1", "4|" + serial),
        ("1.3.6.1.2.1.43.10.2.1.2.1.1", "2|1"),
        ("1.3.6.1.2.1.43.10.2.1.3.1.1", "2|7"),
        ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|%d" % total),
        ("1.3.6.1.2.1.43.16.5.1.2.1.1", "4|" + console),
    ]
    for i, (descr_s, typ, klass, unit, maxc, level, colorant) in enumerate(supplies, 1):
        base = "1.3.6.1.2.1.43.11.1.1"
        rows += [
            ("%s.3.1.%d" % (base, i), "2|%d" % (i if colorant else 0)),
            ("%s.4.1.%d" % (base, i), "2|%d" % klass),
            ("%s.5.1.%d" % (base, i), "2|%d" % typ),
            ("%s.6.1.%d" % (base, i), "4|" + descr_s),
            ("%s.7.1.%d" % (base, i), "2|%d" % unit),
            ("%s.8.1.%d" % (base, i), "2|%d" % maxc),
            ("%s.9.1.%d" % (base, i), "2|%d" % level),
        ]
        if colorant:
            rows.append(("1.3.6.1.2.1.43.12.1.1.4.1.%d" % i, "4|" + colorant))
    for i, (tname, maxc, level) in enumerate(trays, 1):
        base = "1.3.6.1.2.1.43.8.2.1"
        rows += [
            ("%s.2.1.%d" % (base, i), "2|4"),
            ("%s.8.1.%d" % (base, i), "2|8"),
            ("%s.9.1.%d" % (base, i), "2|%d" % maxc),
            ("%s.10.1.%d" % (base, i), "2|%d" % level),
            ("%s.13.1.%d" % (base, i), "4|" + tname),
        ]
    rows += list(extra)
    rows.sort(key=lambda r: tuple(int(x) for x in r[0].split(".")))
    with open(os.path.join(HERE, name + ".snmprec"), "w") as f:
        for oid, v in rows:
            f.write("%s|%s\n" % (oid, v))


TONER, DRUM, WASTE = 3, 9, 4  # prtMarkerSuppliesType
CONSUMED, RECEPTACLE = 3, 4  # prtMarkerSuppliesClass
PERCENT, IMPRESSIONS = 19, 7  # prtMarkerSuppliesSupplyUnit

printer("hp-m477", "HP Color LaserJet MFP M477fdw", "1.3.6.1.4.1.11.2.3.9.1", "3c:52:82:10:20:30",
        "CNB8K1Q2W3", "HP Color LaserJet MFP M477fdw", 48213,
        [("Black Cartridge HP 410X", TONER, CONSUMED, PERCENT, 100, 64, "black"),
         ("Cyan Cartridge HP 410A", TONER, CONSUMED, PERCENT, 100, 12, "cyan"),
         ("Magenta Cartridge HP 410A", TONER, CONSUMED, PERCENT, 100, 80, "magenta"),
         ("Yellow Cartridge HP 410A", TONER, CONSUMED, PERCENT, 100, 3, "yellow")],
        [("Tray 1", 50, 0), ("Tray 2", 250, 150)], errors=b"\x20\x00", status=(3, 1),
        console="Cyan cartridge low")
printer("kyocera-m2540", "KYOCERA Document Solutions Printing System", "1.3.6.1.4.1.1347.41",
        "00:17:c8:aa:bb:01", "VCF9Z12345", "ECOSYS M2540dn", 120345,
        [("TK-1170", TONER, CONSUMED, PERCENT, 100, 40, "black"),
         ("Waste Toner Box", WASTE, RECEPTACLE, PERCENT, 100, -3, "")],
        [("Cassette 1", 250, 250), ("MP Tray", 100, 0)])
printer("ricoh-mpc3004", "RICOH MP C3004 1.07 / RICOH Network Printer C model", "1.3.6.1.4.1.367.1.1",
        "00:26:73:01:02:03", "E176M610123", "MP C3004", 305112,
        [("Black Toner", TONER, CONSUMED, PERCENT, 100, 50, "black"),
         ("Cyan Toner", TONER, CONSUMED, PERCENT, 100, -100, "cyan"),
         ("Magenta Toner", TONER, CONSUMED, PERCENT, 100, 30, "magenta"),
         ("Yellow Toner", TONER, CONSUMED, PERCENT, 100, 20, "yellow"),
         ("Waste Toner Bottle", WASTE, RECEPTACLE, PERCENT, 100, -3, "")],
        [("Tray 1", 500, 300), ("Tray 2", 500, 0), ("Bypass Tray", 100, 0)], errors=b"\x08\x00",
        status=(5, 3), console="Paper misfeed / Open front cover")
printer("brother-l2710", "Brother NC-8300w, Firmware Ver.1.02", "1.3.6.1.4.1.2435.2.3.9.1",
        "3c:2a:f4:11:22:33", "E78123A9N123456", "Brother MFC-L2710DW series", 9321,
        [("Toner Cartridge", TONER, CONSUMED, PERCENT, 100, 70, "black"),
         ("Drum Unit", DRUM, CONSUMED, PERCENT, 100, 90, "")],
        [("Tray 1", 250, -3)],
        # Brother's "next care" block: record 82 (drum), type 01, 4 octets: 10800 pages left.
        extra=[("1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.11.0", "4x|820104" + "%08x" % 10800 + "ff")])
