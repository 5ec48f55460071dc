#!/usr/bin/env python3
"""Writes synthetic agents that answer only part of the standard MIBs plus a vendor's
private MIB: the devices issue 13 is about. Our own data, from public descriptions of the
formats (RFC 3805 Printer-MIB, RFC 2790 Host-Resources, PWG 5107.4 Printer Port Monitor MIB,
IEEE 1284 device IDs, Brother's binary blocks as described by the `brother` Python library
and saper-2's BRN-Printer-sCounters-Info notes). Never copies of real recordings.
Re-run after editing:  python3 tests/data/snmprec/partial/generate.py
"""
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
BR = "1.3.6.1.4.1.2435.2.3.9.4.2.1.5"  # Brother's printer-info subtree
PPM_ID = "1.3.6.1.4.1.2699.1.2.1.2.1.1.3.1"  # ppmPrinterIEEE1284DeviceId.1
SUP = "1.3.6.1.2.1.43.11.1.1"  # prtMarkerSuppliesEntry


def s(text, charset="utf-8"):
    return "4x|" + text.encode(charset).hex()


def block(records, end=True):
    """Brother block: (code, value) records as code, 0x01, 4, 32-bit big-endian value."""
    out = b"".join(bytes([code, 0x01, 0x04]) + struct.pack(">I", v) for code, v in records)
    return "4x|" + (out + (b"\xff" if end else b"")).hex()


def untyped(records):
    """Brother block without the type octet: (code, value octets) as code, length, value."""
    return "4x|" + (b"".join(bytes([code, len(v)]) + v for code, v in records) + b"\xff").hex()


def supply(i, descr, typ, maxc, level, klass=3, unit=19):
    return [("%s.4.1.%d" % (SUP, i), "2|%d" % klass), ("%s.5.1.%d" % (SUP, i), "2|%d" % typ),
            ("%s.6.1.%d" % (SUP, i), s(descr)), ("%s.7.1.%d" % (SUP, i), "2|%d" % unit),
            ("%s.8.1.%d" % (SUP, i), "2|%d" % maxc), ("%s.9.1.%d" % (SUP, i), "2|%d" % level)]


def write(name, rows):
    rows = sorted(rows, key=lambda r: tuple(int(x) for x in r[0].split(".")))
    with open(os.path.join(HERE, name + ".snmprec"), "w") as f:
        for oid, v in rows:
            f.write("%s|%s\n" % (oid, v))


UPTIME = ("1.3.6.1.2.1.1.3.0", "67|123400")

# A small Brother laser whose agent has no sysDescr/sysObjectID, no hrDevice group and a
# Printer-MIB supplies table that says only "some remaining" (-3) for the toner and lists no
# drum: everything else is in Brother's private MIB.
write("brother-private", [
    UPTIME,
    ("1.3.6.1.4.1.2435.2.3.9.1.1.7.0",
     s("MFG:Brother;CMD:PJL,PCL,PCLXL,URF;MDL:HL-L2350DW series;CLS:PRINTER;")),
    ("1.3.6.1.4.1.2435.2.4.3.2435.5.13.3.0", s("Brother HL-L2350DW series")),
    ("1.3.6.1.4.1.2435.2.4.3.1240.6.5.0", s("Firmware Ver.1.20 (19.05.23)")),
    (BR + ".5.1.0", s("E78123A0N000111")),
    (BR + ".4.5.2.0", s("SLEEP")),
    (BR + ".5.10.0", block([(0x00, 10412), (0x01, 10412), (0x06, 2210)])),
    # toner 64.00 %, drum 88.50 %, an unknown record 0x99 that must be skipped
    (BR + ".5.8.0", block([(0x11, 10412), (0x6F, 6400), (0x99, 7), (0x41, 8850)])),
    # next care: the drum's pages left (82), and the fuser's (89) for a fuser not listed
    (BR + ".5.11.0", block([(0x82, 10620), (0x89, 50000)])),
] + supply(1, "Black Toner Cartridge", 3, -2, -3))

# A Brother colour inkjet in a Russian office: the Printer-MIB lists the inks with coded
# levels only; the console text is CP1251; the maintenance block has the ink levels.
write("brother-inkjet", [
    ("1.3.6.1.2.1.1.1.0", s("Brother NC-340h, Firmware Ver.1.04")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.2435.2.3.9.1"),
    UPTIME,
    ("1.3.6.1.2.1.25.3.2.1.2.1", "6|1.3.6.1.2.1.25.3.1.5"),
    ("1.3.6.1.2.1.25.3.2.1.3.1", s("Brother MFC-J2330DW")),
    ("1.3.6.1.2.1.25.3.2.1.5.1", "2|3"),
    (BR + ".4.5.2.0", s("Мало чернил", "cp1251")),
    (BR + ".5.1.0", s("U63891A7H112233")),
    (BR + ".5.10.0", block([(0x00, 3120), (0x01, 2000), (0x02, 1120)])),
    # black 5 %, cyan 40 %, magenta 61 %, yellow 77 %
    (BR + ".5.8.0", block([(0x6F, 500), (0x70, 4000), (0x71, 6100), (0x72, 7700)])),
] + supply(1, "Black Ink", 5, 3, 1) + supply(2, "Cyan Ink", 5, 3, 0)
  + supply(3, "Magenta Ink", 5, 3, 0) + supply(4, "Yellow Ink", 5, 3, 0))

# Brother blocks that break the layout: the counter block's second record claims more octets
# than are left, the maintenance block has a 6-octet value and a percentage above 100 %.
bad_counters = bytes([0x00, 0x01, 0x04, 0, 0, 0x27, 0x10, 0x01, 0x01, 0x04, 0x00, 0x01])
bad_maint = (bytes([0x6F, 0x01, 0x06, 0, 0, 0, 0, 0x19, 0x00])
             + bytes([0x41, 0x01, 0x04]) + struct.pack(">I", 25000) + b"\xff")
write("brother-malformed", [
    ("1.3.6.1.2.1.1.1.0", s("Brother NC-8300w")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.2435.2.3.9.1"),
    UPTIME,
    ("1.3.6.1.4.1.2435.2.4.3.2435.5.13.3.0", s("Brother DCP-L2540DN series")),
    (BR + ".5.10.0", "4x|" + bad_counters.hex()),
    (BR + ".5.8.0", "4x|" + bad_maint.hex()),
    (BR + ".5.11.0", "4x|8201040000"),  # next care: a record running past the end
    # jam counts whose total claims 4 octets with only 2 left: no count
    (BR + ".5.21.0", "4x|01020001a1040000"),
] + supply(1, "Toner Cartridge", 3, -2, -3))


def records(recs, end=True):
    """Brother block from (code, value octets) records of any length: legacy and odd ones."""
    out = b"".join(bytes([code, 0x01, len(v)]) + v for code, v in recs)
    return "4x|" + (out + (b"\xff" if end else b"")).hex()


IF_MAC = ("1.3.6.1.2.1.2.2.1.6.1", "4x|30055c0a1b2c")
CHARSET_11 = "1.3.6.1.2.1.43.7.1.1.4.1.1"  # prtLocalizationCharacterSet.1.1

# A colour Brother laser whose agent answers only what Brother's own tools read: the 1284
# ID, serial, firmware and panel text in Brother's subtree, the Printer-MIB's charset (8:
# ISO 8859-5, as Russian firmware declares) and page count, and ifPhysAddress. Its maintenance block has no
# 41 (drum) or 6f..72 (toner): a colour model keeps one drum per colour (80, 79, 7a, 7b) and
# its toner in a1..a4, with the 10 %-step gauges 81..84 and status records 31..34 beside.
write("brother-colour-laser", [
    UPTIME, IF_MAC,
    ("1.3.6.1.4.1.2435.2.3.9.1.1.7.0",
     s("MFG:Brother;CMD:PJL,HBP,URF;MDL:MFC-L3770CDW series;CLS:PRINTER;CID:Brother Laser Type1;")),
    (BR + ".5.1.0", s("E73001K8N112233")),
    (BR + ".5.17.0", s("ZB2204151011")),
    (BR + ".4.5.2.0", s("Мало тонера (Y) ", "iso8859_5")),
    (CHARSET_11, "2|8"),
    ("1.3.6.1.2.1.25.3.2.1.5.1", "2|3"),
    # prtMarkerLifeCount a few pages behind record 00, the page counter the printer's own web
    # page shows: the printer's number wins.
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|5116"),
    (BR + ".5.10.0", block([(0x00, 5120), (0x01, 3020), (0x02, 2100), (0x06, 640)])),
    (BR + ".5.8.0", block([
        (0x31, 1), (0x32, 1), (0x33, 1), (0x34, 2),
        (0xA1, 5400), (0xA2, 3000), (0xA3, 2550), (0xA4, 300),
        (0x81, 60), (0x82, 30), (0x83, 30), (0x84, 10),
        (0x80, 8100), (0x79, 7700), (0x7A, 7650), (0x7B, 7600),
        (0x69, 9300), (0x6A, 9100), (0x6D, 9450)])),
    # jam counts: MP tray 3, tray 1 1, inside 2, rear 0, two-sided 0; a1 their total 6; the
    # ADF's 1 (25) is counted apart, as the printer's web page shows it
    (BR + ".5.21.0", untyped([(0x00, b"\x00\x03"), (0x01, b"\x00\x01"), (0x21, b"\x00\x02"),
                              (0x22, b"\x00\x00"), (0x23, b"\x00\x00"), (0x25, b"\x00\x01"),
                              (0xA1, b"\x00\x00\x00\x06")])),
    # next care, pages left: drums per colour (a4..a7), belt (88), fuser (89), PF kit 1 (77)
    # as the all-ones filler, and an unknown record
    (BR + ".5.11.0", block([
        (0xA4, 14580), (0xA5, 13890), (0xA6, 13900), (0xA7, 13650),
        (0x88, 46500), (0x89, 45600), (0x77, 0xFFFFFFFF), (0x99, 7)])),
])

# An older Brother inkjet: 2-octet maintenance records, remaining and total in twentieths
# (a1 01 02 04 14: black 4 of 20), no counter block, its total in prtMarkerLifeCount, no
# Printer-MIB supplies (its model name says inkjet) and panel text in HP Roman-8 with no
# charset declared.
write("brother-legacy-inkjet", [
    UPTIME, IF_MAC,
    ("1.3.6.1.4.1.2435.2.3.9.1.1.7.0",
     s("MFG:Brother;CMD:PJL,HBP,URF;MDL:MFC-5895CW;CLS:PRINTER;")),
    (BR + ".5.1.0", s("BROG1234567")),
    (BR + ".5.17.0", s("U1107131645VER.E")),
    (BR + ".4.5.2.0", s("Bourrage arrière", "hp_roman8")),
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|7731"),
    (BR + ".5.10.0", "4|"),
    (BR + ".5.8.0", records([(0xA1, b"\x04\x14"), (0xA2, b"\x0c\x14"),
                             (0xA3, b"\x06\x14"), (0xA4, b"\x0b\x14")])),
])

# An ink-tank Brother whose counter block has mono and colour pages but no total.
write("brother-ink-tank", [
    UPTIME,
    ("1.3.6.1.4.1.2435.2.3.9.1.1.7.0",
     s("MFG:Brother;CMD:PJL,HBP,URF;MDL:DCP-T720DW;CLS:PRINTER;")),
    (BR + ".5.1.0", s("E80011C0H445566")),
    (BR + ".5.10.0", block([(0x01, 412), (0x02, 2977), (0x06, 1200)])),
    (BR + ".5.8.0", block([(0x6F, 8800), (0x70, 6100), (0x71, 5900), (0x72, 7000)])),
])

# Legacy-looking records that are no share: a total of 0, more remaining than the total,
# one octet (a state on older lasers) and three octets; none may become a level.
write("brother-legacy-malformed", [
    UPTIME,
    ("1.3.6.1.4.1.2435.2.3.9.1.1.7.0", s("MFG:Brother;CMD:PJL,PCL;MDL:HL-5380DN;CLS:PRINTER;")),
    (BR + ".5.8.0", records([(0xA1, b"\x04\x00"), (0x41, b"\x03"), (0x6A, b"\x15\x14"),
                             (0x6B, b"\x01\x02\x03"), (0x11, b"\x00\x00\x61\xa8")])),
])



def typed_table(table, rows, value_tag="65"):
    """A BROTHER-MIB count table: per row, its type (.2) and its Counter32 (.3)."""
    out = []
    for i, (typ, count) in enumerate(rows, 1):
        out += [("%s.2.%d" % (table, i), "2|%d" % typ), ("%s.3.%d" % (table, i),
                                                         "%s|%d" % (value_tag, count))]
    return out


# An A3 inkjet MFP known from its 1284 ID, with BROTHER-MIB's count tables (brPrintPagesTable
# by paper size, brPrintPagesFuncTable by function and colour, brScanCountTable by feeder and
# glass, plus a fourth scan row of a type the MIB does not name). Pages add up: print 5200 =
# 2100 colour + 3100 mono, copy 1500, fax 300; 7000 = the counters block's total.
write("brother-mfp-tables", [
    UPTIME,
    ("1.3.6.1.4.1.2435.2.3.9.1.1.7.0",
     s("MFG:Brother;CMD:PJL,PCL,PCLXL,URF;MDL:MFC-J6955DW;CLS:PRINTER;"
       "CID:Brother Generic Jpeg Type2;")),
    ("1.3.6.1.4.1.2435.2.4.3.2435.5.13.3.0", s("Brother MFC-J6955DW series")),
    (BR + ".5.1.0", s("E80123K1N000222")),
    (BR + ".5.10.0", block([(0x00, 7000), (0x01, 4500), (0x02, 2500)])),
] + typed_table(BR + ".5.52.1.1", [(26, 6150), (2, 0), (27, 850), (890, 0), (999, 0)])
  + typed_table(BR + ".5.52.21.1", [(1, 5200), (2, 300), (3, 1500), (4, 400), (5, 2100),
                                    (6, 0), (7, 3100), (8, 300), (9, 1100)])
  + typed_table(BR + ".5.54.2.2.1", [(1, 820), (2, 310), (3, 240), (4, 1370)]))

# A generic print server (net-snmp's Linux sysObjectID, a generic sysDescr) in front of a
# Kyocera: only the Printer Port Monitor MIB's 1284 device ID and Kyocera's own identity
# objects name the printer.
write("generic-ppm", [
    ("1.3.6.1.2.1.1.1.0", s("Network Printer")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.8072.3.2.10"),
    UPTIME,
    (PPM_ID, s("MFG:Kyocera;CMD:PCLXL,PJL,PCL5E,POSTSCRIPT;MDL:ECOSYS P2040dn;CLS:PRINTER;")),
    ("1.3.6.1.4.1.1347.43.5.1.1.1.1", s("ECOSYS P2040dn")),
    ("1.3.6.1.4.1.1347.43.5.1.1.28.1", s("VCF0001234")),
    ("1.3.6.1.4.1.1347.43.5.4.1.5.1.1", s("2S0_2F00.005.003")),
    ("1.3.6.1.2.1.43.10.2.1.3.1.1", "2|7"),
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|48211"),
] + supply(1, "TK-1160", 3, 100, 35))

# An HP JetDirect external print server (HP's sysObjectID and sysDescr) attached to a
# Kyocera: the printer's 1284 device ID, served at HP's OID, names the real maker.
write("jetdirect-kyocera", [
    ("1.3.6.1.2.1.1.1.0", s("HP ETHERNET MULTI-ENVIRONMENT,ROM J.sp.00,JETDIRECT EX")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.11.2.3.9.1"),
    UPTIME,
    ("1.3.6.1.4.1.11.2.3.9.1.1.7.0",
     s("MFG:Kyocera;CMD:PCLXL,PJL,PCL5E;MDL:FS-1370DN;CLS:PRINTER;SN:LJX1234567;")),
])

# An older LaserJet behind a JetDirect whose agent has no Host Resources printer objects, no
# Printer-MIB console and no alert table: its state is only in JetDirect's gdStatus group
# (JETDIRECT3-MIB, as check_hpjd reads it): the panel text gdStatusDisplay and INTEGER flags,
# non-zero while set: 8 paper jam, 10 toner low; 9 paper out, 17 door open, 19 output full
# clear; 1 (line status) says offline, which is not read (asleep reads the same).
GD = "1.3.6.1.4.1.11.2.3.9.1.1"


def gd_flags(jam=0, paper_out=0, toner_low=0, door=0, output_full=0, line=0):
    return [(GD + ".2.1.0", "2|%d" % line), (GD + ".2.8.0", "2|%d" % jam),
            (GD + ".2.9.0", "2|%d" % paper_out), (GD + ".2.10.0", "2|%d" % toner_low),
            (GD + ".2.17.0", "2|%d" % door), (GD + ".2.19.0", "2|%d" % output_full)]


JETDIRECT = [
    ("1.3.6.1.2.1.1.1.0", s("HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD149,EEPROM V.28.63")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.11.2.3.9.1"),
    UPTIME,
    (GD + ".7.0", s("MFG:Hewlett-Packard;CMD:PJL,PML,PCLXL,POSTSCRIPT,PCL;MDL:HP LaserJet 4250;"
                    "CLS:PRINTER;")),
]
write("hp-jetdirect-jam", JETDIRECT + gd_flags(jam=1, toner_low=1, line=1) + [
    (GD + ".3.0", s("13.12.00 JAM IN TRAY 2")),
    # no prtMarkerLifeCount: HP-LASERJET-COMMON-MIB's total engine page count
    ("1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.5.0", "2|123456"),
])
# The same printer at rest: every flag clear, "READY" on the panel; the paper-out flag sent as
# text that is no number (left out, with a note).
write("hp-jetdirect-ready", JETDIRECT + [
    r for r in gd_flags(line=1) if not r[0].endswith(".2.9.0")] + [
    (GD + ".2.9.0", s("no")),
    (GD + ".3.0", s("READY")),
])

# An OKI whose agent answers no system group: its 1284 device ID, served at HP's JetDirect
# OID as OKI's agents do, spells the maker key "MANUFACTURE"; nothing of HP's but the OID.
write("oki-hp-device-id", [
    UPTIME,
    ("1.3.6.1.4.1.11.2.3.9.1.1.7.0",
     s("MANUFACTURE:OKI UK LTD;COMMAND SET:PCL,XPS,POSTSCRIPT;MODEL:MC873;CLASS:PRINTER;")),
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|73410"),
] + supply(1, "Black Toner Cartridge", 3, 100, 59))

# A Canon whose agent answers no system group: only Canon's private identity objects.
write("canon-private", [
    UPTIME,
    ("1.3.6.1.4.1.1602.1.1.1.1.0", s("iR-ADV C3525")),
    ("1.3.6.1.4.1.1602.1.1.1.4.0", s("03.07")),
    ("1.3.6.1.4.1.1602.1.2.1.4.0", s("QNB12345")),  # the older serial object only
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|99812"),
])

# A Ricoh-made device sold as Nashuatec: only prtGeneralPrinterName names it.
write("printer-name", [
    UPTIME,
    ("1.3.6.1.2.1.43.5.1.1.16.1", s("NASHUATEC MP 2554")),
    ("1.3.6.1.2.1.43.5.1.1.17.1", s("C3X0000123")),
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|5000"),
])

# A Konica Minolta MFP: the machine's own total (1.1.0) differs from prtMarkerLifeCount by
# 4 pages; mono/colour exist only per function (copy/print), as do the large-paper counts.
KM = "1.3.6.1.4.1.18334.1.1.1.5.7.2"
write("konica-counters", [
    ("1.3.6.1.2.1.1.1.0", s("KONICA MINOLTA bizhub C300i")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.18334.1.1.1.2.1.190.2.4"),
    UPTIME,
    ("1.3.6.1.2.1.43.10.2.1.3.1.1", "2|7"),
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|20004"),
    ("1.3.6.1.4.1.18334.1.1.1.1.6.2.1.0", s("KONICA MINOLTA bizhub C300i")),
    (KM + ".1.1.0", "2|20000"),
    (KM + ".1.3.0", "2|4100"),
    (KM + ".2.1.5.1.1", "2|3000"),
    (KM + ".2.1.5.1.2", "2|11000"),
    (KM + ".2.1.5.2.1", "2|1000"),
    (KM + ".2.1.5.2.2", "2|5000"),
    # Large paper (A3/Ledger) per colour and function, 2-colour pages, large and sent scans.
    (KM + ".1.2.0", "2|120"),
    (KM + ".2.1.7.1.1", "2|300"),
    (KM + ".2.1.7.1.2", "2|700"),
    (KM + ".2.1.7.2.1", "2|50"),
    (KM + ".2.1.7.2.2", "2|150"),
    (KM + ".2.1.5.4.1", "2|40"),
    (KM + ".2.1.5.4.2", "2|0"),
    (KM + ".2.1.5.3.1", "2|25"),   # single colour copies
    (KM + ".2.1.5.3.2", "2|10"),   # and prints
    (KM + ".3.1.23.1", "2|900"),
    (KM + ".3.1.24.1", "2|250"),
    # The 3.1 table's print cells, read only where the 2.1.5 ones are missing.
    (KM + ".3.1.7.1", "2|10990"),
    (KM + ".3.1.11.1", "2|4990"),
    (KM + ".3.1.6.1", "2|1"),
])

# A Konica Minolta whose agent keeps its print counts only in the 3.1 table (7 black,
# 11 colour); copy counts in the usual 2.1.5 cells. The 3.1 cells are read only as fallbacks.
write("konica-counters-print31", [
    ("1.3.6.1.2.1.1.1.0", s("KONICA MINOLTA bizhub C287")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.18334.1.1.1.2.1.134.2.1"),
    UPTIME,
    ("1.3.6.1.2.1.43.10.2.1.3.1.1", "2|7"),
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|9100"),
    (KM + ".1.1.0", "2|9100"),
    (KM + ".2.1.5.1.1", "2|1200"),
    (KM + ".2.1.5.2.1", "2|300"),
    (KM + ".3.1.7.1", "2|6100"),
    (KM + ".3.1.11.1", "2|1500"),
    (KM + ".3.1.5.1", "2|2400"),
    (KM + ".3.1.6.1", "2|80"),
])

# A Samsung MFP whose Printer-MIB has only the total: its scmHrDevCountTable
# (SAMSUNG-HOST-RESOURCES-EXT-MIB) has a row per job type, paper size, unit, duplex mode and
# colour. Most rows count sheets (a two-sided sheet is two pages), the scan rows impressions.
SCM = "1.3.6.1.4.1.236.11.5.11.53.11.2.1"


def scm_rows(rows):
    """(job type, size, unit, duplex, colour, count) rows at index hrDeviceIndex 1.<n>."""
    out = []
    for n, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=2):
            kind = "65" if column == 7 else "2"
            out.append(("%s.%d.1.%d" % (SCM, column, n), "%s|%d" % (kind, value)))
    return out


SAMSUNG_ROWS = [
    (1, 1, 8, 1, 3, 1000),  # print, small, sheets, simplex, mono
    (1, 1, 8, 2, 3, 200),   # two-sided: 400 pages
    (1, 1, 8, 3, 3, 10),    # a duplex job's last sheet, one side
    (1, 2, 8, 1, 1, 50),    # print, large, full colour
    (2, 1, 8, 1, 3, 300),   # copy
    (2, 1, 8, 1, 1, 20),
    (3, 1, 8, 1, 3, 15),    # fax received and printed
    (6, 1, 8, 1, 3, 5),     # reports
    (5, 1, 7, 1, 3, 700),   # scans, in impressions
    (5, 1, 7, 1, 1, 80),
    (4, 1, 7, 1, 3, 40),    # fax sent
    (11, 1, 7, 1, 1, 60),   # scan to e-mail / folder
    (1, -2, 8, -2, -2, 1460),  # a row summing the print rows: not counted again
    (1, 1, 8, -1, 3, 1410),    # one summing the mono print rows over duplex modes
]
write("samsung-counters", [
    ("1.3.6.1.2.1.1.1.0", s("Samsung X4300LX; V6.00.01.20 03-14-2018;Engine V1.00.08;NIC V6.01.00;S/N 0B1CBJAF600012X")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.236.11.5.1"),
    UPTIME,
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|1800"),
] + scm_rows(SAMSUNG_ROWS))

# The same table broken: a print row in hours (no print counts at all), a copy row of a
# custom paper size without its colour (it may be a sum of others: no copy counts at all, no
# large/small split), and a type no entry lists.
write("samsung-counters-malformed", [
    ("1.3.6.1.2.1.1.1.0", s("Samsung M4080FX; V11.01.03.04_02-27-2017;Engine V1.00.05;NIC V6.01.00;S/N ZDDNB8KF30001AB")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.236.11.5.1"),
    UPTIME,
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|1800"),
] + [row for row in scm_rows([
    (1, 1, 8, 1, 3, 1000),
    (1, 1, 11, 1, 3, 12),   # hours: not pages
    (2, 1, 8, 1, 3, 300),
    (2, 24, 8, 1, 1, 20),   # custom size; its colour cell is dropped below
    (2, 24, 8, 1, 1, 5),    # custom size, colour: no large/small split
    (21, 1, 8, 1, 3, 99),   # local storage: not counted
]) if row[0] != "%s.6.1.4" % SCM])

# ---- text in the device's charset, and supplies the printer itself calls low ---------------
# Alert rows (RFC 3805 prtAlertTable, index hrDeviceIndex.prtAlertIndex): severity (2),
# group (4), group index (5), location (6), code (7, PrtAlertCodeTC), description (8).
ALERT = "1.3.6.1.2.1.43.18.1.1"
CONSOLE = "1.3.6.1.2.1.43.16.5.1.2.1"  # prtConsoleDisplayBufferText, console 1, line N
ERRORS = "1.3.6.1.2.1.25.3.5.1.2.1"     # hrPrinterDetectedErrorState (BITS)


def alert(i, group, group_index, code, descr, charset="utf-8", severity=4):
    return [("%s.2.1.%d" % (ALERT, i), "2|%d" % severity),
            ("%s.4.1.%d" % (ALERT, i), "2|%d" % group),
            ("%s.5.1.%d" % (ALERT, i), "2|%d" % group_index),
            ("%s.6.1.%d" % (ALERT, i), "2|0"),
            ("%s.7.1.%d" % (ALERT, i), "2|%d" % code),
            ("%s.8.1.%d" % (ALERT, i), "4x|" + descr.encode(charset).hex())]


def printer(descr, status=3, errors=b"\x00\x00"):
    return [("1.3.6.1.2.1.25.3.2.1.2.1", "6|1.3.6.1.2.1.25.3.1.5"),
            ("1.3.6.1.2.1.25.3.2.1.3.1", descr if descr.startswith("4x|") else s(descr)),
            ("1.3.6.1.2.1.25.3.2.1.5.1", "2|%d" % status),
            ("1.3.6.1.2.1.25.3.5.1.1.1", "2|3"),
            (ERRORS, "4x|" + errors.hex())]


# An agent whose printer is hrDevice row 3 (a processor and a network interface come first),
# so every Printer-MIB table is indexed 3 (RFC 3805: by hrDeviceIndex): the general table's
# serial, the marker's counters, the console and the localization's charset.
HR = "1.3.6.1.2.1.25.3.2.1"
write("printer-row-3", [
    ("1.3.6.1.2.1.1.1.0", s("Network Printer")),
    UPTIME,
    (HR + ".2.1", "6|1.3.6.1.2.1.25.3.1.3"), (HR + ".3.1", s("CPU")), (HR + ".5.1", "2|2"),
    (HR + ".2.2", "6|1.3.6.1.2.1.25.3.1.4"), (HR + ".3.2", s("Ethernet")), (HR + ".5.2", "2|2"),
    (HR + ".2.3", "6|1.3.6.1.2.1.25.3.1.5"), (HR + ".3.3", s("Lexmark MS421dn")),
    (HR + ".5.3", "2|2"),
    ("1.3.6.1.2.1.25.3.5.1.1.3", "2|3"), (ERRORS[:-1] + "3", "4x|0000"),
    ("1.3.6.1.2.1.43.5.1.1.17.3", s("46100AB12C34")),
    ("1.3.6.1.2.1.43.7.1.1.4.3.1", "2|106"),
    ("1.3.6.1.2.1.43.10.2.1.3.3.1", "2|7"),
    ("1.3.6.1.2.1.43.10.2.1.4.3.1", "65|18230"),
    ("1.3.6.1.2.1.43.10.2.1.5.3.1", "65|412"),
    (CONSOLE[:-1] + "3.1", s("Ready")),
] + [(re.sub(r"^(%s\.\d+)\.1\." % re.escape(SUP), r"\1.3.", o), v)
     for o, v in supply(1, "Black Toner Cartridge", 3, 100, 64)])

# An HP laser built on Samsung's firmware: its sysDescr is Samsung's layout with HP's name,
# its sysObjectID malformed (no enterprise; the shape public walks of such models show), no
# Host Resources: the brand word names it, the text gives model, firmware and serial.
write("hp-samsung-built", [
    ("1.3.6.1.2.1.1.1.0", s("HP Laser MFP 137fnw; V3.82.01.18     JAN-05-2021;Engine V1.00.06 "
                            "2019-03-04;NIC V6.01.12;S/N VNF4R31415")),
    ("1.3.6.1.2.1.1.2.0", "6|2.1773528503.909192755.774778418"),
    UPTIME,
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|2718"),
] + supply(1, "Black Toner", 3, 100, 57))

# The same numbering on a partial agent without the hrDevice group: nothing but the
# Printer-MIB's own tables (marker supplies and markers indexed 2.n) says the printer is
# row 2, so its serial, counters, charset and console are read there. The 1284 device ID
# (PPM's own index) names it.
write("printer-row-2-no-hr", [
    ("1.3.6.1.2.1.1.1.0", s("Network Printer")),
    UPTIME,
    (PPM_ID, s("MFG:Kyocera;CMD:PCLXL,PostScript;MDL:ECOSYS P2040dn;CLS:PRINTER;")),
    ("1.3.6.1.2.1.43.5.1.1.17.2", s("RX20KB7731")),
    ("1.3.6.1.2.1.43.7.1.1.4.2.1", "2|2252"),
    ("1.3.6.1.2.1.43.10.2.1.3.2.1", "2|7"),
    ("1.3.6.1.2.1.43.10.2.1.4.2.1", "65|5521"),
    (CONSOLE[:-1] + "2.1", s("Замените тонер", "cp1251")),
] + [(re.sub(r"^(%s\.\d+)\.1\." % re.escape(SUP), r"\1.2.", o), v)
     for o, v in supply(1, "Black Toner Cartridge", 3, 100, 2)])

# A Kyocera in a Russian office: it declares US-ASCII (prtLocalizationCharacterSet 3, a
# firmware default) but its console and supply names are KOI8-R; hrPrinterDetectedErrorState
# says lowToner (bit 2) while the toner gauge still shows 40 %.
write("kyocera-koi8-low", [
    ("1.3.6.1.2.1.1.1.0", s("KYOCERA Document Solutions Printing System")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.1347.41"),
    UPTIME,
    ("1.3.6.1.2.1.43.7.1.1.4.1.1", "2|3"),
    (CONSOLE + ".1", s("Мало тонера", "koi8-r")),
    (CONSOLE + ".2", s("Готов", "koi8-r")),
    ("1.3.6.1.4.1.1347.43.5.1.1.1.1", s("ECOSYS M2040dn")),
] + printer("ECOSYS M2040dn", errors=b"\x20\x00")
  + [(o, s("Тонер-картридж TK-1170", "koi8-r") if o.endswith(".6.1.1") else v)
     for o, v in supply(1, "x", 3, 100, 40)])

# A colour Lexmark whose gauges are coarse: the alert table names the supplies that are low
# (prtAlertGroup 11 markerSupplies, prtAlertGroupIndex = prtMarkerSuppliesIndex): cyan toner
# almost empty (1104), waste toner bottle almost full (1107), and a vendor-coded alert whose
# description says magenta is nearly empty. lowToner is set too (which toner it does not say).
write("lexmark-alerts", [
    ("1.3.6.1.2.1.1.1.0", s("Lexmark CS410dn version LW71.VY2.P233 kernel 3.0.0")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.641.2.1.2.1.130"),
    UPTIME,
] + printer("Lexmark CS410dn", errors=b"\x20\x00")
  + supply(1, "Black Cartridge", 3, 100, 80) + supply(2, "Cyan Cartridge", 3, 100, 75)
  + supply(3, "Magenta Cartridge", 3, 100, 60) + supply(4, "Yellow Cartridge", 3, 100, 90)
  + supply(5, "Waste Toner Bottle", 4, 100, 50, klass=4)
  + alert(1, 11, 2, 1104, "Cyan Cartridge Low")
  + alert(2, 11, 5, 1107, "Waste Toner Bottle Nearly Full")
  + alert(3, 11, -1, 1, "Magenta cartridge nearly empty")
  + alert(4, 8, 1, 807, "Tray 1 Low"))

# A small laser whose agent answers only the Printer-MIB (no Host Resources printer group;
# prtGeneralPrinterName names it):
# its conditions are in the alert table alone (RFC 3805 PrtAlertCodeTC). A paper jam
# (critical, media path), toner almost empty (markerSupplies), tray 1 empty by the generic
# subunitEmpty code (input group), a cover-closed event (binary change, severity 5) and a
# vendor code that names no condition.
write("alerts-only", [
    UPTIME,
    ("1.3.6.1.2.1.43.5.1.1.16.1", s("Brother HL-L2340D series")),
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|5120"),
] + supply(1, "Black Toner", 3, 100, 12)
  + alert(1, 13, 1, 8, "Paper jam", severity=3)
  + alert(2, 11, 1, 1104, "Toner low")
  + alert(3, 8, 1, 13, "Tray 1 empty")
  + alert(4, 6, 1, 4, "Cover closed", severity=5)
  + alert(5, 1, -1, 40001, "Vendor condition"))

# The same agent when nothing is wrong any more: only events remain in the table, and a
# power-saver row at severity warning (routine: RFC 3805 has such a printer running).
write("alerts-events-only", [
    UPTIME,
    ("1.3.6.1.2.1.43.5.1.1.16.1", s("Brother HL-L2340D series")),
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|5121"),
] + supply(1, "Black Toner", 3, 100, 12)
  + alert(1, 6, 1, 4, "Cover closed", severity=5)
  + alert(2, 5, 1, 503, "Powered up", severity=5)
  + alert(3, 5, 1, 23, "Energy saver", severity=4))

# A monochrome MFP of a maker no profile knows (named by its 1284 device ID) that counts its
# pages in the PWG Imaging System Counter MIB (PWG 5106.1: icKeyTable's service types 3
# systemTotals, 11 print, 4 copy, 7 faxIn, 12 scan; icImpressionTable indexed
# key.workType.persistence, workTotals 3, lifetime 3; .4 total impressions, no monochrome
# column) and says it is monochrome in prtMarkerProcessColorants (RFC 3805: 1 implies
# monochrome), with one toner of no named colour and a black colorant. Its black pages are
# its pages.
IC = "1.3.6.1.4.1.2699.1.3.1"
write("pwg-mono-mfp", [
    ("1.3.6.1.2.1.1.1.0", s("Network MFP")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.8072.3.2.10"),
    UPTIME,
    (PPM_ID, s("MFG:Acme Imaging;MDL:AM-40 MFP;CLS:PRINTER;")),
    ("1.3.6.1.2.1.43.10.2.1.3.1.1", "2|7"),
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|9000"),
    ("1.3.6.1.2.1.43.10.2.1.6.1.1", "2|1"),
    ("1.3.6.1.2.1.43.12.1.1.4.1.1", s("black")),
    (IC + ".1.2.0", "2|5"),
    (IC + ".2.1.1.2.1", "2|3"), (IC + ".2.1.1.2.2", "2|11"),
    (IC + ".2.1.1.2.3", "2|4"), (IC + ".2.1.1.2.4", "2|7"),
    (IC + ".8.1.1.4.1.3.3", "2|9000"), (IC + ".8.1.1.4.2.3.3", "2|6000"),
    (IC + ".8.1.1.4.3.3.3", "2|2500"), (IC + ".8.1.1.4.4.3.3", "2|500"),
    # Power-on counts (persistence 4) are not the lifetime's.
    (IC + ".8.1.1.4.2.3.4", "2|40"),
    # The scan service (key 5) marks nothing: its impressions are 0, its images (icImageTable
    # .4 total, .5 monochrome, .6 full colour; a mono MFP scans in colour) are the scans.
    (IC + ".2.1.1.2.5", "2|12"), (IC + ".8.1.1.4.5.3.3", "2|0"),
    (IC + ".7.1.1.4.5.3.3", "2|1800"), (IC + ".7.1.1.5.5.3.3", "2|1500"),
    (IC + ".7.1.1.6.5.3.3", "2|300"),
    # Impressions on two-sided sheets (icTwoSidedTotalImps) and sheets (icSheetTotalSheets)
    # of the system totals: 3000 impressions on 1500 two-sided sheets, 6000 on one side.
    (IC + ".9.1.1.4.1.3.3", "2|3000"), (IC + ".10.1.1.4.1.3.3", "2|7500"),
    # Its sheets per media size (icMediaUsedTable: .4 sheets, .9 the PWG 5101.1 size name):
    # A4 and Letter small, A3 large; Ledger and a size without dimensions unused; a power-on
    # row (persistence 4) not read.
    (IC + ".12.1.1.4.1.1.3", "2|6800"), (IC + ".12.1.1.9.1.1.3", s("iso_a4_210x297mm")),
    (IC + ".12.1.1.4.1.2.3", "2|500"), (IC + ".12.1.1.9.1.2.3", s("iso_a3_297x420mm")),
    (IC + ".12.1.1.4.1.3.3", "2|200"), (IC + ".12.1.1.9.1.3.3", s("na_letter_8.5x11in")),
    (IC + ".12.1.1.4.1.4.3", "2|0"), (IC + ".12.1.1.9.1.4.3", s("na_ledger_11x17in")),
    (IC + ".12.1.1.4.1.5.3", "2|0"), (IC + ".12.1.1.9.1.5.3", s("custom_envelope")),
    (IC + ".12.1.1.4.1.1.4", "2|90"), (IC + ".12.1.1.9.1.1.4", s("iso_a4_210x297mm")),
] + printer("AM-40 MFP")
  + supply(1, "Toner Cartridge AM-40", 3, 100, 64)
  + supply(2, "Drum Unit", 9, 100, 80))

# A Pantum (a Chinese maker) with GBK console and supply text and no charset declaration:
# the console says toner is insufficient (碳粉不足) while the gauge reads 30 %.
write("pantum-gbk", [
    ("1.3.6.1.2.1.1.1.0", s("Pantum P3300DN")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.40093.1.1.3.3"),
    UPTIME,
    (CONSOLE + ".1", s("碳粉不足", "gbk")),
] + printer("Pantum P3300DN Series")
  + [(o, s("黑色碳粉盒", "gbk") if o.endswith(".6.1.1") else v)
     for o, v in supply(1, "x", 3, 100, 30)])

# A Ricoh declaring Shift_JIS (MIBenum 17): Japanese console text names the black toner as
# low while its level is only the coarse "some remaining" (-3).
write("ricoh-sjis", [
    ("1.3.6.1.2.1.1.1.0", s("RICOH SP C261DNw 1.05 / RICOH Network Printer C model")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.367.1.1"),
    UPTIME,
    ("1.3.6.1.2.1.43.7.1.1.4.1.1", "2|17"),
    (CONSOLE + ".1", s("ブラックトナー残量少", "cp932")),
    (CONSOLE + ".2", s("印刷可能です", "cp932")),
] + printer("RICOH SP C261DNw")
  + supply(1, "Black Toner", 3, -2, -3) + supply(2, "Cyan Toner", 3, 100, 80)
  + supply(3, "Magenta Toner", 3, 100, 70) + supply(4, "Yellow Toner", 3, 100, 60))

# A colour MFP whose agent names its supplies in the panel's languages and fills no colorant
# index for the toners (RFC 3805 allows 0: "no colorant"): the colour is in the names only.
# The drum and imaging unit point at colorants named in German and in RFC 3805's English; the
# drum and the waste bottle are typed other(1), so their kind is in their names too.
write("supplies-localized", [
    ("1.3.6.1.2.1.1.1.0", s("Network Printer")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.8072.3.2.10"),
    UPTIME,
    (PPM_ID, s("MFG:Acme Imaging;MDL:AC-4 MFP;CLS:PRINTER;")),
    ("1.3.6.1.2.1.43.12.1.1.4.1.1", s("Schwarz")),
    ("1.3.6.1.2.1.43.12.1.1.4.1.2", s("light cyan")),
    (SUP + ".3.1.5", "2|1"), (SUP + ".3.1.6", "2|2"),
] + printer("Colour MFP")
  + supply(1, "Тонер-картридж чёрный", 3, 100, 80)
  + supply(2, "Тонер-картридж ГОЛУБОЙ", 3, 100, 70)
  + supply(3, "Kartridż purpurowy", 3, 100, 60)
  + supply(4, "Tonerkassette Gelb", 3, 100, 50)
  + supply(5, "Фотобарабан", 1, 100, 40)
  + supply(6, "Imaging Unit", 9, 100, 30)
  + supply(7, "Resttonerbehälter", 4, 100, 90, klass=4)
  + supply(8, "黑色碳粉 (K)", 3, 100, 20)
  + supply(9, "Color Kit", 1, 100, 10)
  + supply(10, "Бункер отработанного тонера", 1, 100, 95, klass=4))

# A maker no profile knows (named only by the 1284 device ID) whose agent hands text over as
# UTF-16: the console UTF-16LE without a byte-order mark, hrDeviceDescr and an alert
# description UTF-16 with one, and the supply description as a hex string ("0x...").
write("utf16-hex", [
    ("1.3.6.1.2.1.1.1.0", s("Network Printer")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.8072.3.2.10"),
    UPTIME,
    (PPM_ID, s("MFG:Acme Imaging;MDL:AP-9;CLS:PRINTER;")),
    (CONSOLE + ".1", "4x|" + "Toner Low".encode("utf-16-le").hex()),
] + printer("4x|" + "\ufeffAP-9 Laser".encode("utf-16-le").hex())
  + [(o, "4|0x" + "Toner Cartridge AP-90".encode().hex().upper() if o.endswith(".6.1.1") else v)
     for o, v in supply(1, "x", 3, 100, 70)]
  + alert(1, 11, 1, 1, "Toner low", "utf-16"))

# A Ricoh MFP with its engine counter table (ricohEngCounterTable, type codes as GLPI Agent's
# Ricoh MibSupport and Ricoh's private MIB specification name them; transmissions: 870 all,
# 871 black, 872 fax, 873/874 colour/black scans; fax by colour 301-303, large paper 700,
# duplex sides 701): rows in model order, unknown types between, a value sent as a string, a
# type row without a value. Its own total (type 10) differs from prtMarkerLifeCount by 3
# pages; copy + print + fax = the total, and so do black & white + colour.
RC = "1.3.6.1.4.1.367.3.2.1.2.19.5.1"
ricoh_rows = [(10, 52000), (100, 777), (200, 12000), (201, 9000), (202, 2500), (203, 500),
              (300, 400), (301, 380), (302, 5), (303, 15), (400, 39600), (401, 30000),
              (402, 8000), (403, 1600), (700, 4200), (701, 15000), (870, 5000), (871, 3800),
              (872, 900), (873, 1200), (874, 2900), (999, 1)]
write("ricoh-counters", [
    ("1.3.6.1.2.1.1.1.0", s("RICOH MP C3004 1.10 / RICOH Network Printer C model")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.367.1.1"),
    UPTIME,
    ("1.3.6.1.2.1.43.10.2.1.3.1.1", "2|7"),
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|52003"),
    ("1.3.6.1.4.1.367.3.2.1.1.1.1.0", s("MP C3004")),
] + [("%s.2.%d" % (RC, i + 1), "2|%d" % t) for i, (t, _) in enumerate(ricoh_rows)]
  + [("%s.9.%d" % (RC, i + 1), "2|%d" % v) for i, (t, v) in enumerate(ricoh_rows) if t != 999]
  + [("%s.2.%d" % (RC, 40), "2|400"), ("%s.9.%d" % (RC, 40), s("n/a"))])

# A Savin (Ricoh engine) whose Printer-MIB says only "some remaining" (-3) for its toners: the
# engine toner table (ricohEngTonerTable, 367.3.2.1.2.24.1.1: .2 name, .5 level) has the
# percentages, Ricoh's -100 ("almost empty") and -3, a waste bottle (not read), a level that
# is no percentage and a row without a name.
RT = "1.3.6.1.4.1.367.3.2.1.2.24.1.1"
ricoh_toners = [(1, "Black Toner", 30), (2, "Cyan Toner", 20), (3, "Magenta Toner", -100),
                (4, "Yellow Toner", -3), (5, "Waste Toner", 100), (6, "Red Toner", 150),
                (7, None, 40)]
write("ricoh-toner-table", [
    ("1.3.6.1.2.1.1.1.0", s("SAVIN MP C2011 1.02 / SAVIN Network Printer C model")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.367.1.1"),
    UPTIME,
] + printer("SAVIN MP C2011")
  + supply(1, "Black Toner", 3, -2, -3) + supply(2, "Cyan Toner", 3, -2, -3)
  + supply(3, "Magenta Toner", 3, -2, -3) + supply(4, "Yellow Toner", 3, -2, -3)
  + [("%s.2.%d" % (RT, i), s(n)) for i, n, _ in ricoh_toners if n]
  + [("%s.5.%d" % (RT, i), "2|%d" % v) for i, _, v in ricoh_toners])

# A mono Ricoh printer whose agent lists no Printer-MIB supplies: its one toner row is named
# in column 3.
write("ricoh-toner-only", [
    ("1.3.6.1.2.1.1.1.0", s("RICOH SP 3710DN 1.01 / RICOH Network Printer D model")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.367.1.1"),
    UPTIME,
    ("%s.3.1" % RT, s("Toner")),
    ("%s.5.1" % RT, "2|45"),
] + printer("RICOH SP 3710DN"))

# ---- split counters from vendors' own trees (issue 13, part 3) ------------------------------
LIFE = "1.3.6.1.2.1.43.10.2.1.4.1.1"  # prtMarkerLifeCount.1.1
UNIT = ("1.3.6.1.2.1.43.10.2.1.3.1.1", "2|7")  # impressions

# A colour Kyocera TASKalfa MFP: function counters (1347.42.3.1, layout in kyocera.toml) with
# print/copy/fax by colour mode and scans by function. The panel total is print 30000 + copy
# 12000 + fax 500. Its paper-size table (KMCOMMON-MIB kmMediaTable) has
# sizes in both units: A3 and Ledger (17 in) are large, B4, A4 and Letter small, A5 unused.
KC = "1.3.6.1.4.1.1347.42.3.1"
KM_MEDIA = "1.3.6.1.4.1.1347.42.2.1.1.1"


def media(rows):
    """kmMediaTable rows (index 1.<n>): (name, unit, long edge, count or None)."""
    out = []
    for n, (name, unit, length, count) in enumerate(rows, start=1):
        out += [("%s.2.1.%d" % (KM_MEDIA, n), s(name))]
        if unit is not None:
            out += [("%s.3.1.%d" % (KM_MEDIA, n), "2|%d" % unit)]
        if length is not None:
            out += [("%s.4.1.%d" % (KM_MEDIA, n), "2|%d" % length)]
        if count is not None:
            out += [("%s.6.1.%d" % (KM_MEDIA, n), count if isinstance(count, str)
                     else "65|%d" % count)]
    return out

write("kyocera-counters", [
    ("1.3.6.1.2.1.1.1.0", s("KYOCERA Document Solutions Printing System")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.1347.41"),
    # KYOCERA's own total (43.10.1.1.12.1.1) is the panel's: print + copy + fax; its
    # prtMarkerLifeCount counts 220 more, as on the real machine a public mapping checked.
    UPTIME, UNIT, (LIFE, "65|42720"), ("1.3.6.1.4.1.1347.43.10.1.1.12.1.1", "65|42500"),
    # Pages by sides: one-sided + two-sided = their total (= the panel's total here).
    ("1.3.6.1.4.1.1347.42.2.5.1.1.1.1", "65|31500"), ("1.3.6.1.4.1.1347.42.2.5.1.1.2.1", "65|11000"),
    ("1.3.6.1.4.1.1347.42.2.5.1.1.3.1", "65|42500"),
    ("1.3.6.1.4.1.1347.43.5.1.1.1.1", s("TASKalfa 2553ci")),
    ("1.3.6.1.4.1.1347.43.5.1.1.28.1", s("W2X1234567")),
    (KC + ".1.1.1.1", "65|30000"), (KC + ".1.1.1.2", "65|12000"), (KC + ".1.1.1.4", "65|500"),
    (KC + ".2.1.1.1.1", "65|21000"), (KC + ".2.1.1.1.2", "65|1000"),
    (KC + ".2.1.1.1.3", "65|8000"), (KC + ".2.1.1.2.1", "65|9000"),
    (KC + ".2.1.1.2.2", "65|0"), (KC + ".2.1.1.2.3", "65|3000"),
    (KC + ".2.1.1.4.1", "65|500"),
    (KC + ".3.1.1.2", "65|7000"), (KC + ".3.1.1.4", "65|300"), (KC + ".4.1.1.1", "65|2200"),
] + media([("A3", 4, 420000, 3000), ("B4", 4, 364000, 500), ("A4", 4, 297000, 37000),
           ("Ledger", 3, 170000, 1000), ("Letter", 3, 110000, 1000), ("A5", 4, 210000, 0)])
  + printer("TASKalfa 2553ci"))

# A mono Kyocera ECOSYS printer: only the printer function and black & white cells exist, so
# there is no colour, copy or scan counter to report (absent is not zero for a missing
# function, and a colour total must not appear on a mono printer).
write("kyocera-mono-printer", [
    ("1.3.6.1.2.1.1.1.0", s("KYOCERA Document Solutions Printing System")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.1347.41"),
    UPTIME, UNIT, (LIFE, "65|18311"),
    ("1.3.6.1.4.1.1347.43.5.1.1.1.1", s("ECOSYS P2040dn")),
    (KC + ".1.1.1.1", "65|18311"), (KC + ".2.1.1.1.1", "65|18311"),
] + media([("A4", 4, 297000, 18311), ("A5", 4, 210000, 0)]) + printer("ECOSYS P2040dn"))

# A Kyocera whose agent answers no system group and not KYOCERA's private 1347.43 group, only
# KMCOMMON-MIB: kmProductName (1347.42.5.1.1.1.<hrDeviceIndex>) and the function counters.
write("kyocera-kmcommon-only", [
    UPTIME,
    ("1.3.6.1.4.1.1347.42.5.1.1.1.1", s("ECOSYS M2540dn")),
    (KC + ".1.1.1.1", "65|12000"), (KC + ".1.1.1.2", "65|3000"),
    (KC + ".2.1.1.1.1", "65|12000"), (KC + ".2.1.1.2.1", "65|3000"),
])

# A Kyocera answering only KMCOMMON-MIB and KYOCERA's status line (1347.43.18.2.1.2.1.1), no
# Printer-MIB or Host Resources: the panel's Russian text, UTF-8, says cassette 1 has no paper.
write("kyocera-panel-text", [
    UPTIME,
    ("1.3.6.1.4.1.1347.42.5.1.1.1.1", s("ECOSYS M2135dn")),
    ("1.3.6.1.4.1.1347.43.18.2.1.2.1.1", s("Добавьте бумагу в кассету 1.")),
    (KC + ".1.1.1.1", "65|4100"),
])

# Kyocera cells that break the rules: a number sent as text that is not one, a negative
# INTEGER, an OBJECT IDENTIFIER where a count belongs, an empty string, and two Counter64
# cells at the top of the range whose sum would overflow. Each must give no value, never a
# wrapped or garbage number; the well-formed cells still count.
write("kyocera-counters-malformed", [
    ("1.3.6.1.2.1.1.1.0", s("KYOCERA Document Solutions Printing System")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.1347.41"),
    UPTIME, UNIT, (LIFE, "65|9000"),
    ("1.3.6.1.4.1.1347.43.5.1.1.1.1", s("ECOSYS M5526cdn")),
    (KC + ".1.1.1.1", s("n/a")), (KC + ".1.1.1.2", "2|-5"), (KC + ".1.1.1.4", s("")),
    (KC + ".2.1.1.1.1", "65|6000"), (KC + ".2.1.1.1.2", "6|1.3.6.1.4.1.1347"),
    (KC + ".2.1.1.1.3", "70|18446744073709551615"), (KC + ".2.1.1.2.3", "70|9223372036854775807"),
    (KC + ".2.1.1.2.1", s("1200")),
# Paper sizes: a row in an unknown unit (7) with pages on it voids the large/small split; an
# unused row without a size would not.
] + media([("A3", 4, 420000, 100), ("A4", 7, 297, 5), ("Custom", None, None, 0)]))

# A Canon imageRUNNER ADVANCE: the counter tables by Canon's own counter codes (canon.toml).
# Its own Total 1 (101) is 6 pages above prtMarkerLifeCount; large (A3) and small (A4) kept
# apart; copy and print by colour add up to the totals (as on a real iR C3200's counter
# page). The "Copy + Print" codes 403-408 are there and must not be read as print or copy.
# Scans and the 2-sided total only in the all-counters table (.4.1), as on models that show
# a few counters on the panel.
CN = "1.3.6.1.4.1.1602.1.11.1.3.1.4"
CN4 = "1.3.6.1.4.1.1602.1.11.1.4.1.4"
canon_codes = {101: 52006, 102: 60006, 103: 8000, 104: 44006, 108: 30006, 112: 5000,
               113: 25006, 122: 3000, 123: 19000, 201: 15500, 227: 1500, 228: 9000,
               229: 1000, 230: 4000, 301: 36506, 319: 3500, 320: 16006, 321: 2000, 322: 15000,
               403: 5000, 404: 25006, 407: 3000, 408: 19000}
canon_all_only = {114: 12000, 501: 7000, 503: 900, 504: 6100, 505: 4000, 507: 400, 508: 3600,
                  509: 3000, 511: 500, 512: 2500}
write("canon-counters", [
    ("1.3.6.1.2.1.1.1.0", s("Canon iR-ADV C5535 /P")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.1602.4.7"),
    UPTIME, UNIT, (LIFE, "65|52000"),
    ("1.3.6.1.4.1.1602.1.1.1.1.0", s("iR-ADV C5535")),
] + [("%s.%d" % (CN, code), "65|%d" % v) for code, v in canon_codes.items()]
  + [("%s.%d" % (CN4, code), "65|%d" % v) for code, v in canon_codes.items()]
  + [("%s.%d" % (CN4, code), "65|%d" % v) for code, v in canon_all_only.items()]
  + printer("Canon iR-ADV C5535"))

# An A4-only mono Canon: no large-paper, colour or scan cells; 108 absent too, so mono is
# the small-paper black & white counter alone. Its 101 is an OCTET STRING of binary junk and
# must be ignored (prtMarkerLifeCount stays the total).
write("canon-counters-malformed", [
    ("1.3.6.1.2.1.1.1.0", s("Canon iR1643i /P")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.1602.4.7"),
    UPTIME, UNIT, (LIFE, "65|7300"),
    ("1.3.6.1.4.1.1602.1.1.1.1.0", s("iR1643i")),
    (CN + ".101", "4x|00ff13"), (CN + ".104", "65|7300"), (CN + ".113", "65|7300"),
] + printer("Canon iR1643i"))

# A Sharp MX colour MFP: the counter table 2385.1.1.19.2.1.3.<function>.4.<kind> (sharp.toml)
# with print/copy/total splits, duplex, the document feeder and scans (b&w, colour, sent).
SH = "1.3.6.1.4.1.2385.1.1.19.2.1.3"
write("sharp-counters", [
    ("1.3.6.1.2.1.1.1.0", s("SHARP MX-3070N")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.2385.3.1.59"),
    # The total function's modes add up to prtMarkerLifeCount: 50000 + 14000 + 450 + 200.
    UPTIME, UNIT, (LIFE, "65|64650"),
    (SH + ".1.4.60", "65|40000"), (SH + ".1.4.61", "65|30000"), (SH + ".1.4.63", "65|10000"),
    (SH + ".1.4.75", "65|8000"),
    (SH + ".4.4.60", "65|24000"), (SH + ".4.4.61", "65|20000"), (SH + ".4.4.63", "65|4000"),
    (SH + ".5.4.61", "65|50000"), (SH + ".5.4.63", "65|14000"),
    (SH + ".4.4.64", "65|300"), (SH + ".5.4.64", "65|450"),  # two colour, apart from full
    (SH + ".4.4.80", "65|120"), (SH + ".5.4.80", "65|200"),  # single colour, likewise
    (SH + ".6.4.70", "65|15000"),
    (SH + ".7.4.50", "65|2600"), (SH + ".7.4.51", "65|5200"), (SH + ".7.4.53", "65|1800"),
    # Sharp's own identity objects (LibreNMS's sharp definition); no prtGeneralSerialNumber,
    # and an object beside the firmware that no source names (never read as the serial).
    ("1.3.6.1.4.1.2385.2.1.1.2.1.2.1", s("2.03")),
    ("1.3.6.1.4.1.2385.2.1.1.2.1.3.1", s("8503211700")),
    ("1.3.6.1.4.1.2385.2.1.3.2.1.4.13501.1302.1", s("MX-3070N")),
] + printer("SHARP MX-3070N"))

# A colour Lexmark MFP with LEXMARK-MPS-MIB's paper and scan count tables (lexmark.toml):
# rows in sides (unit 4) as the MIB asks, an unlisted type counted in sheets between them;
# print 30000 + copy 18000 + fax 2200 = totalSafe 50200 = prtMarkerLifeCount. Scans: one row
# per kind and paper size (e-mail on A4 and A3).
LX_PAPER = "1.3.6.1.4.1.641.6.4.2.1.1"
LX_SCAN = "1.3.6.1.4.1.641.6.4.3.1.1"


def lexmark_paper(rows):
    out = []
    for n, (typ, unit, value) in enumerate(rows, start=1):
        out += [("%s.2.1.%d" % (LX_PAPER, n), "2|%d" % typ)]
        if unit is not None:
            out += [("%s.3.1.%d" % (LX_PAPER, n), "2|%d" % unit)]
        out += [("%s.4.1.%d" % (LX_PAPER, n), value if isinstance(value, str)
                 else "65|%d" % value)]
    return out


LX_SIDES = "1.3.6.1.4.1.641.6.4.2.2.1"


def lexmark_sides(rows):
    """paperSidesCountTable rows: (PaperSizeTC, PaperTypeTC, mono sides, colour sides); a value
    given as text is written as is (a malformed cell), None leaves the cell out."""
    out = []
    for n, (size, typ, mono, color) in enumerate(rows, start=1):
        out += [("%s.3.1.%d" % (LX_SIDES, n), "2|%d" % typ)]  # the index column is not readable
        if size is not None:
            out += [("%s.2.1.%d" % (LX_SIDES, n), size if isinstance(size, str) else "2|%d" % size)]
        for col, v in ((6, mono), (7, color)):
            if v is not None:
                out += [("%s.%d.1.%d" % (LX_SIDES, col, n), v if isinstance(v, str) else "65|%d" % v)]
            # picked (4/5) counts jams too: a little more, never read
            if v is not None and not isinstance(v, str):
                out += [("%s.%d.1.%d" % (LX_SIDES, col - 2, n), "65|%d" % (v + 7))]
    return out


LX_SHEETS = "1.3.6.1.4.1.641.6.4.2.3.1"


def lexmark_sheets(rows):
    """paperSheetsCountTable rows: (PaperSizeTC, PaperTypeTC, sheets delivered); picked (.4)
    is a few more (jams), never read."""
    out = []
    for n, (size, typ, sheets) in enumerate(rows, start=1):
        out += [("%s.2.1.%d" % (LX_SHEETS, n), "2|%d" % size),
                ("%s.3.1.%d" % (LX_SHEETS, n), "2|%d" % typ),
                ("%s.4.1.%d" % (LX_SHEETS, n), "65|%d" % (sheets + 3)),
                ("%s.5.1.%d" % (LX_SHEETS, n), "65|%d" % sheets)]
    return out


def lexmark_scans(rows):
    out = []
    for n, (typ, size, sides) in enumerate(rows, start=1):
        out += [("%s.2.1.%d" % (LX_SCAN, n), "2|%d" % typ), ("%s.3.1.%d" % (LX_SCAN, n), "2|%d" % size),
                ("%s.4.1.%d" % (LX_SCAN, n), "65|%d" % sides),
                ("%s.5.1.%d" % (LX_SCAN, n), "65|%d" % sides)]
    return out


write("lexmark-counters", [
    ("1.3.6.1.2.1.1.1.0", s("Lexmark CX725 version CXTPP.230.037 kernel 4.11.12 All-N-1")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.641.2.1.2.1.137"),
    UPTIME, UNIT, (LIFE, "65|50200"),
] + lexmark_paper([(1, 4, 50210), (2, 4, 50200), (3, 4, 35200), (4, 4, 15000), (16, 4, 30000),
                   (17, 4, 20000), (18, 4, 10000), (32, 4, 18000), (33, 4, 13000),
                   (34, 4, 5000), (48, 4, 2200), (49, 4, 2200), (50, 4, 0), (64, 4, 300),
                   (80, 5, 26000)])
  + lexmark_scans([(1, 68, 9000), (257, 68, 4000), (769, 68, 2000), (2, 68, 700),
                   (3, 68, 1500), (3, 67, 100), (4, 68, 800), (262, 68, 50)])
  # An A4 model: sides on A4 (plain and recycled), Letter and DL envelopes; universal unused.
  + lexmark_sides([(68, 3, 25000, 10000), (68, 6, 5000, 2000), (8, 3, 5000, 3000),
                   (35, 16, 200, 0), (3, 3, 0, 0)])
  + printer("Lexmark CX725"))

# A colour A3 Lexmark MFP (CX921de class): paperSidesCountTable sides per paper size, mono and
# colour apart. Large: A3 (67), tabloid (14), SRA3 (28); small: A4 (68, two paper types), B4
# (76, 353 mm), letter (8). Mono 40000 + colour 22000 = totalSafe 62000 = prtMarkerLifeCount.
write("lexmark-a3-counters", [
    ("1.3.6.1.2.1.1.1.0", s("Lexmark CX921de version CXTMH.230.037 kernel 4.11.12 All-N-1")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.641.2.1.2.1.150"),
    UPTIME, UNIT, (LIFE, "65|62000"),
] + lexmark_paper([(2, 4, 62000), (3, 4, 40000), (4, 4, 22000)])
  + lexmark_sides([(68, 3, 26000, 12000), (68, 6, 3000, 1000), (67, 3, 6000, 5000),
                   (14, 3, 1000, 500), (28, 39, 0, 1500), (76, 3, 2500, 1000),
                   (8, 3, 1500, 1000), (4, 3, 0, 0)])
  # Sheets per size: fewer than the sides above where pages were printed on both sides (A4,
  # A3); 39500 small + 11000 large = 50500 sheets for 62000 pages.
  + lexmark_sheets([(68, 3, 30000), (68, 6, 3500), (67, 3, 8000), (14, 3, 1500),
                    (28, 39, 1500), (76, 3, 3500), (8, 3, 2500), (4, 3, 0)])
  + printer("Lexmark CX921de"))

# Lexmark rows that break the rules: print mono counted in sheets, copy total without a unit,
# mono total whose value is no number; the well-formed rows still count.
write("lexmark-counters-malformed", [
    ("1.3.6.1.2.1.1.1.0", s("Lexmark MX521ade version MXTGM.081.234 kernel 4.11.12")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.641.2.1.2.1.131"),
    UPTIME, UNIT, (LIFE, "65|12000"),
] + lexmark_paper([(2, 4, 12000), (3, 4, s("many")), (16, 4, 9000), (17, 5, 5000),
                   (32, None, 3000), (33, 4, 3000)])
  # Sides per size: A4 fine, but a "universal" size (any length up to A3+ on some models)
  # holding mono sides cannot be placed, and one A3 mono cell is text: no mono or total
  # split; the colour column (all A4, the universal row at 0) still splits.
  + lexmark_sides([(68, 3, 10000, 500), (3, 3, 1200, 0), (67, 3, s("n/a"), 300)])
  + printer("Lexmark MX521ade"))

# A Lexmark whose agent answers no system group, no Host Resources and no Printer-MIB: only
# LEXMARK-MPS-MIB (deviceModel, deviceSerialNumber, currentSuppliesTable) and LEXMARK-PVT-MIB's
# prtgenStatusTable (docs/accuracy.md). Supplies (index deviceIndex 1, supply n): type, ISO
# colour name, description, verdict (3 ok, 4 low, 5 empty), capacity and amount remaining.
LX_SUP = "1.3.6.1.4.1.641.6.4.4.1.1"
LX_STAT = "1.3.6.1.4.1.641.2.1.3.1"


def lexmark_supplies(rows):
    """(type, colour, description, status, capacity, remaining) rows; None leaves a cell out."""
    out = []
    for n, row in enumerate(rows, start=1):
        for col, v in zip((3, 4, 5, 12, 14, 16), row):
            if v is None:
                continue
            if isinstance(v, str):
                v = v if "|" in v else s(v)
            else:  # amounts are Counter32 in the MIB; a negative one only as INTEGER junk
                v = ("65|%d" if col == 16 and v >= 0 else "2|%d") % v
            out.append(("%s.%d.1.%d" % (LX_SUP, col, n), v))
    return out


def lexmark_status(**flags):
    """prtgenStatusTable row 1: every condition 1 (clear) unless given."""
    cols = {"hopper": 3, "input": 4, "jam": 5, "toner": 6, "service": 7, "cover": 9, "line": 11}
    return [("%s.%d.1" % (LX_STAT, c), "2|%d" % flags.get(k, 1)) for k, c in cols.items()]


# The black toner's gauge says 30 % but the printer calls it low: low, the gauge not shown. The
# fuser is empty by both; the waste box counts what it holds (not read); magenta's remaining
# exceeds its capacity (no level, its "ok" verdict stands); yellow has no capacity and an
# unknown verdict (nothing). A jam with the input tray's condition unknown.
write("lexmark-mps-only", [
    UPTIME,
    ("1.3.6.1.4.1.641.6.2.3.1.4.1", s("Lexmark CS421dn")),
    ("1.3.6.1.4.1.641.6.2.3.1.5.1", s("50128RH123456")),
] + lexmark_supplies([(6, "black", "Black Cartridge", 4, 3000, 900),
                      (6, "cyan", "Cyan Cartridge", 3, 2300, 1610),
                      (7, "none", "Imaging Unit", 3, 40000, 30000),
                      (9, "none", "Fuser", 5, 150000, 0),
                      (10, "none", "Waste Toner Bottle", 3, 90000, 20000),
                      (6, "magenta", "Magenta Cartridge", 3, 2300, 2400),
                      (6, "yellow", "Yellow Cartridge", 2, 0, 500)])
  + lexmark_status(jam=2, input=3))

# The same tables holding junk: a type that is text, an unknown type code, a colour that is
# binary, a capacity that is text, a negative amount, a verdict code the MIB does not have,
# a row without a description; status flags with codes outside 1..3 or text. Each gives no
# value (or only what is well-formed) and a note, never garbage.
write("lexmark-mps-malformed", [
    UPTIME,
    ("1.3.6.1.4.1.641.6.2.3.1.4.1", s("Lexmark MS621dn")),
] + lexmark_supplies([("4|toner", "black", "Black Cartridge", 3, 10000, 5000),
                      (99, "black", "Mystery Unit", 3, 100, 50),
                      (7, "4x|00ff1b", "Imaging Unit", 3, 60000, 30000),
                      (6, "black", "Spare Black Cartridge", 3, "4x|6e2f61", 100),
                      (9, "none", "Fuser", 77, 150000, -5),
                      (6, "black", None, 3, 10000, 100)])
  + [("%s.5.1" % LX_STAT, "2|7"), ("%s.9.1" % LX_STAT, s("open")),
     ("%s.7.1" % LX_STAT, "2|1")])

# ---- identity from vendors' private objects, no system group (issue 13) ---------------------
# Devices whose agent names no maker in the system group (none at all, an empty sysDescr, or a
# generic print server's): only their vendor's private identity objects, at the OIDs GLPI
# Agent's MibSupport modules and the public Zabbix Pantum template read (docs/accuracy.md cites
# each). The values are made up.
EP = "1.3.6.1.4.1.1248.1.2.2"  # Epson: identity entry .1.1.1, firmware table .2.1.1
TB = "1.3.6.1.4.1.1129.1.2.1.1.1"  # Toshiba TEC: bcpGeneral .1, bcpDeviceEntry .2
OKI = "1.3.6.1.4.1.2001.1.1.1.1.11.1.10"
PT = "1.3.6.1.4.1.40093"


def hex_text(text):
    """An OCTET STRING holding hex text ("0x4554..."), as some agents send names."""
    return s("0x" + text.encode().hex().upper())


# An Epson inkjet behind a generic agent: model and serial in Epson's identity entry, the
# firmware in its firmware table, whose row index (here 1.1) the profile does not assume: it
# reads the version column's first row. Names and versions as hex text. Page counts only in
# Epson's usage group, as business inkjets keep them.
write("epson-private", [
    ("1.3.6.1.2.1.1.1.0", s("Network Printer")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.8072.3.2.10"),
    UPTIME,
    (EP + ".1.1.1.2.1", hex_text("ET-5800 Series")),
    (EP + ".1.1.1.5.1", s("X8GZ012345")),
    (EP + ".2.1.1.2.1.1", hex_text("05.34.XF29P8")),
    (EP + ".2.1.1.3.1.1", hex_text("Main")),
    (EP + ".2.1.1.2.1.2", hex_text("01.02")),  # another part's version, not the firmware
    (EP + ".2.1.1.3.1.2", hex_text("Network")),
    # The usage group's monochrome and colour pages (no status block here to give them).
    (EP + ".27.1.1.3.1.1", "65|4210"),
    (EP + ".27.1.1.4.1.1", "65|1377"),
    # Its function table (printer 1): names (made up, in the words the public write-ups use
    # for them), pages, colour pages; rows not in the usual order, one no pattern names.
    (EP + ".27.6.1.2.1.1", s("Print from Computer")),
    (EP + ".27.6.1.4.1.1", "65|3900"),
    (EP + ".27.6.1.5.1.1", "65|1100"),
    (EP + ".27.6.1.2.1.2", s("Memory Device Print")),
    (EP + ".27.6.1.4.1.2", "65|100"),
    (EP + ".27.6.1.5.1.2", "65|60"),
    (EP + ".27.6.1.2.1.3", s("Copy")),
    (EP + ".27.6.1.4.1.3", "65|1587"),
    (EP + ".27.6.1.5.1.3", "65|217"),
    (EP + ".27.6.1.2.1.4", s("Scan")),
    (EP + ".27.6.1.4.1.4", "65|640"),
    (EP + ".27.6.1.5.1.4", "65|300"),
    (EP + ".27.6.1.2.1.5", s("Reserved")),
    (EP + ".27.6.1.4.1.5", "65|7"),
])



def st2(elements, declared=None):
    """Epson "@BDC ST2" status block: 00 "@BDC ST2" CR LF, little-endian length, then
    (type, length, octets) elements (Ircama's epson_print_conf reads the same layout)."""
    body = b"".join(bytes([t, len(v)]) + v for t, v in elements)
    n = len(body) if declared is None else declared
    return "4x|" + (b"\x00@BDC ST2\r\n" + struct.pack("<H", n) + body).hex()


# Ink entries of 3 octets: cartridge code, ink colour (0 K, 1 C, 2 M, 3 Y), level.
EPSON_INKS = (0x0f, bytes([3, 0x01, 0, 62, 0x03, 1, 45, 0x04, 2, 8, 0x05, 3, 100]))
# Page counts: normal, pages, colour, monochrome, blank (32-bit little-endian).
EPSON_PAGES = (0x36, struct.pack("<5i", 1500, 1520, 830, 690, 0))

# An Epson inkjet (EcoTank-like, no system group) whose Printer-MIB has a marker counter but
# no supplies table: the inks and the colour/mono split are only in its status block, served
# at the printer status column of the identity entry. Other elements (status 0x01, serial
# 0x40) ride along and are not read.
write("epson-st2", [
    UPTIME,
    (EP + ".1.1.1.2.1", s("L6190 Series")),
    (EP + ".1.1.1.5.1", s("X5ZK004567")),
    (EP + ".1.1.1.4.1", st2([(0x01, b"\x04"), EPSON_INKS, (0x40, b"X5ZK004567"), EPSON_PAGES,
                             (0x37, b"\x02\x01\x00")])),  # one maintenance box, near full
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|1520"),
])

# An Epson inkjet in error (state 00) with a paper jam (error 04): the agent has no Host
# Resources printer objects and no alert table, so its status block is the only word on it.
write("epson-st2-error", [
    UPTIME,
    (EP + ".1.1.1.2.1", s("ET-2850 Series")),
    (EP + ".1.1.1.4.1", st2([(0x01, b"\x00"), (0x02, b"\x04"), EPSON_INKS])),
])
# A state element of two octets and a state no source names: status stays unknown.
write("epson-st2-badstate", [
    UPTIME,
    (EP + ".1.1.1.2.1", s("L3250 Series")),
    (EP + ".1.1.1.4.1", st2([(0x01, b"\x04\x00"), EPSON_INKS])),
])
write("epson-st2-oddstate", [
    UPTIME,
    (EP + ".1.1.1.2.1", s("L3260 Series")),
    (EP + ".1.1.1.4.1", st2([(0x01, b"\x7e"), EPSON_INKS])),
])

# Broken status blocks: a declared length that is not what follows; a block whose ink
# entries do not tile their element and whose page counts are short; a level of 255.
write("epson-st2-malformed", [
    UPTIME,
    (EP + ".1.1.1.2.1", s("L3150 Series")),
    (EP + ".1.1.1.4.1", st2([EPSON_INKS, EPSON_PAGES], declared=99)),
])
write("epson-st2-badinks", [
    UPTIME,
    (EP + ".1.1.1.2.1", s("L805 Series")),
    (EP + ".1.1.1.4.1", st2([(0x0f, bytes([3, 0x01, 0, 62, 0x03])), (0x36, b"\x01\x02\x03"),
                             (0x37, b"\x03\x00\x00")])),  # box entries of 3 octets
])
write("epson-st2-255", [
    UPTIME,
    (EP + ".1.1.1.2.1", s("L1800 Series")),
    (EP + ".1.1.1.4.1", st2([(0x0f, bytes([3, 0x01, 0, 255, 0x03, 1, 40]))])),
])

# A Toshiba TEC e-STUDIO with no system group: bcpGeneral and bcpDeviceEntry only. Its
# firmware version starts with "B" where the panel says "V"; the boot loader's version
# (bcpDeviceBootVersion) is not the firmware.
write("toshiba-private", [
    UPTIME,
    (TB + ".1.1.0", s("CNJJ123456")),
    (TB + ".1.2.0", s("B1.20.0")),
    (TB + ".2.1.0", s("e-STUDIO2515AC")),
    (TB + ".2.5.0", s("1.05")),
])

# A Toshiba e-STUDIO colour MFP's "Print Counter" table (row 2 all, 3 printer, 4 copier,
# 7 fax; columns full colour, twin colour, black, total). Its Printer-MIB total stands.
TC = "1.3.6.1.4.1.1129.2.3.50.1.3.21.6.1"


def print_counter(rows):
    """Toshiba's "Print Counter" cells: (row, (full colour, twin colour, black, total))."""
    return [("%s.%d.1.%d" % (TC, row, col), "65|%d" % v)
            for row, cols in rows for col, v in enumerate(cols, start=1)]


write("toshiba-counters", [
    ("1.3.6.1.2.1.1.1.0", s("TOSHIBA e-STUDIO3015AC")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.1129.2.3.45.1"),
    UPTIME,
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|24150"),
] + print_counter([
    (2, (6000, 150, 18000, 24150)),
    (3, (5000, 100, 12000, 17100)),
    (4, (1000, 50, 5800, 6850)),
    (7, (0, 0, 200, 200)),
    # Paper size: large rows 203 + 2r and small rows 204 + 2r (all, printer, copier); here
    # large + small = the function's row.
    (207, (800, 20, 1500, 2320)), (208, (5200, 130, 16500, 21830)),
    (209, (600, 10, 1000, 1610)), (210, (4400, 90, 11000, 15490)),
    (211, (200, 10, 500, 710)), (212, (800, 40, 5300, 6140)),
]))

# An e-STUDIO MFP whose agent answers no system group and no bcp group (that is TEC's label
# printers'): the MFP's own model object, the Printer-MIB serial and total, the counter table.
write("toshiba-mfp-private", [
    UPTIME,
    ("1.3.6.1.4.1.1129.2.3.50.1.2.3.1.3.1.1", s("TOSHIBA e-STUDIO2050C")),
    ("1.3.6.1.2.1.43.5.1.1.17.1", s("CVH912345")),
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|9120"),
] + print_counter([(2, (2000, 0, 7120, 9120))]))

# An OKI with an empty sysDescr: its model and serial objects only (OKI has no private
# firmware object; its firmware is in the OkiLAN sysDescr, absent here).
write("oki-private", [
    ("1.3.6.1.2.1.1.1.0", s("")),
    UPTIME,
    (OKI + ".25.0", s("C650")),
    (OKI + ".45.0", s("AK5B012345")),
])

# A colour OKI whose agent has no Printer-MIB supplies: toner levels in OKI's own supplies
# table (2001.1.1.1.1.100.3.1.1, column 3 percent, column 4 the maximum; rows K C M Y).
# Yellow's 250 is no percentage.
OKI_USE = "1.3.6.1.4.1.2001.1.1.1.1.100"
OKI_SUP = OKI_USE + ".3.1.1"
write("oki-toner-private", [
    UPTIME,
    (OKI + ".25.0", s("C532")),
    (OKI + ".45.0", s("AK5C765432")),
    (OKI_SUP + ".3.1", "2|45"), (OKI_SUP + ".3.2", "2|80"),
    (OKI_SUP + ".3.3", "2|0"), (OKI_SUP + ".3.4", "2|250"),
    (OKI_SUP + ".4.1", "2|100"), (OKI_SUP + ".4.2", "2|100"),
    (OKI_SUP + ".4.3", "2|100"), (OKI_SUP + ".4.4", "2|100"),
    # Drums (100.4), belt (100.5), fuser (100.6): column 3 pages used, column 4 the life.
    # Yellow's drum has used more than its life and the fuser has no life: no level.
    (OKI_USE + ".4.1.1.3.1", "2|4000"), (OKI_USE + ".4.1.1.4.1", "2|20000"),
    (OKI_USE + ".4.1.1.3.2", "2|12000"), (OKI_USE + ".4.1.1.4.2", "2|20000"),
    (OKI_USE + ".4.1.1.3.3", "2|0"), (OKI_USE + ".4.1.1.4.3", "2|20000"),
    (OKI_USE + ".4.1.1.3.4", "2|25000"), (OKI_USE + ".4.1.1.4.4", "2|20000"),
    (OKI_USE + ".5.1.1.3.1", "2|47371"), (OKI_USE + ".5.1.1.4.1", "2|60000"),
    (OKI_USE + ".6.1.1.3.1", "2|9000"), (OKI_USE + ".6.1.1.4.1", "2|0"),
])

# A Pantum answering its private objects at the objects' own OIDs (no ".0"), as the public
# tools that read them expect, and no system group.
write("pantum-private", [
    UPTIME,
    (PT + ".1.1.1.1", s("3.A.0.3")),
    (PT + ".1.1.1.5", s("CD9C012345")),
    (PT + ".1.1.1.10", s("M6700DW Series")),
    (PT + ".1.1.3.12", "65|5230"),  # pages printed, no Printer-MIB here
    (PT + ".1.1.3.1", "65|1200"),   # of which with automatic duplex
    (PT + ".6.3.1", "2|64"),        # toner remaining, percent
    # The "extended" subtree: the cartridge's remaining toner (the same as 6.3.1 on the
    # printers the public template was made on; here one more, to tell them apart) and the
    # separate drum unit's remainder, percent.
    (PT + ".10.1.5.2.1.3.4", "2|65"),
    (PT + ".10.1.5.3.1.2", "2|81"),
])

# A Pantum answering only its private objects, its status group (40093.6.2) included: toner
# low (4), paper 0x0183 (the automatic tray, 0x83: out of paper), covers and drum fine.
write("pantum-status", [
    UPTIME,
    (PT + ".1.1.1.10", s("P3300DN Series")),
    (PT + ".1.1.3.12", "65|20411"),
    (PT + ".6.3.1", "2|9"),
    (PT + ".6.2.2", "2|4"), (PT + ".6.2.3", "2|0"), (PT + ".6.2.4", "2|0"),
    (PT + ".6.2.5", "2|%d" % 0x0183),
])

# A Pantum whose agent follows SMI (scalars at ".0"): firmware, the third serial candidate,
# and the model in prtGeneralPrinterName only.
write("pantum-scalar", [
    UPTIME,
    (PT + ".1.1.1.1.0", s("2.A.1.3")),
    (PT + ".10.1.1.4.0", s("CD9C054321")),
    ("1.3.6.1.2.1.43.5.1.1.16.1", s("Pantum M7100DW Series")),
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|881"),  # the Printer-MIB total stands
    (PT + ".1.1.3.12.0", "65|880"),
    (PT + ".6.3.1.0", "2|7"),
])

# An Epson whose name/value table (1248.1.2.2.2.1.1: .2 value, .3 the row's name, hex text)
# has its serial in the first row and no serial in the identity entry: the serial comes from
# the row named so, the firmware from the first row not named a serial.
write("epson-name-table", [
    UPTIME,
    (EP + ".1.1.1.2.1", s("L3250 Series")),
    (EP + ".2.1.1.2.1.1", hex_text("X4AB123456")),
    (EP + ".2.1.1.3.1.1", hex_text("Serial No")),
    (EP + ".2.1.1.2.1.2", hex_text("05.22.XF26P8")),
    (EP + ".2.1.1.3.1.2", hex_text("Main")),
])

# Dell lasers built on other engines (dell.toml; LibreNMS's DellLaser class shows the
# strings): a Fuji Xerox engine whose agent answers no system group, only the engine's device
# ID (in Xerox's subtree, naming Dell) and Dell's serial; a Lexmark engine with Dell's
# sysObjectID whose only model is the Lexmark prtgenDeviceId.
write("dell-xerox-engine", [
    UPTIME,
    ("1.3.6.1.4.1.253.8.51.10.2.1.7.2.28110202",
     s("MFG:Dell;CMD:PJL,RASTER,PCLXL,PCL,POSTSCRIPT;MDL:Laser Printer 3110cn;"
       "DES:Dell Laser Printer 3110cn;CLS:PRINTER;")),
    ("1.3.6.1.4.1.674.10898.100.2.1.2.1.6.1", s("CN0F1234")),
])
write("dell-lexmark-engine", [
    ("1.3.6.1.2.1.1.1.0", s("Dell Laser Printer version 5.62.A kernel 2.6.18 All-N-1")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.674.10898.100.1.1.50"),
    UPTIME,
    ("1.3.6.1.4.1.641.2.1.2.1.3.1", s("COMMAND SET:PCL,PJL,POSTSCRIPT;MODEL:Dell Laser Printer 1720dn")),
    ("1.3.6.1.4.1.674.10898.100.2.1.2.1.6.1", s("7PG9ABC")),
])

# A Lanier (Ricoh-made) whose agent answers no system group: Ricoh's own device ID object
# (ricohSysDeviceID) names the brand, ricohSysName the model.
write("ricoh-oem-lanier", [
    UPTIME,
    ("1.3.6.1.4.1.367.3.2.1.1.1.11.0", s("MFG:LANIER;CMD:PJL,PCL,POSTSCRIPT;MDL:MP C3004;CLS:PRINTER;")),
    ("1.3.6.1.4.1.367.3.2.1.1.1.1.0", s("MP C3004")),
    ("1.3.6.1.4.1.367.3.2.1.2.1.4.0", s("E155M123456")),
])

# A Samsung whose agent answers no system group and not Samsung's identity group, only the
# other model object (236.11.5.11.53.31.1.4.0) and the serial.
write("samsung-model-alt", [
    UPTIME,
    ("1.3.6.1.4.1.236.11.5.11.53.31.1.4.0", s("CLX-3185 Series")),
    ("1.3.6.1.4.1.236.11.5.1.1.1.4.0", s("Z6PSBAAZ900123")),
])

# A Samsung mono laser whose Printer-MIB toner says only "some remaining": the black toner's
# percentage is in Samsung's identity group (236.11.5.1.1.3.22.0).
write("samsung-private-toner", [
    ("1.3.6.1.2.1.1.1.0", s("Samsung SL-M4020 Series; V4.00.02.22 DEC-12-2017;Engine V1.00.31;"
                            "NIC V4.01.60;S/N ZDDEB8AK30001AB")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.236.11.5.1"),
    UPTIME,
    ("1.3.6.1.4.1.236.11.5.1.1.3.22.0", "2|35"),
] + supply(1, "Black Toner Cartridge S/N:CRUM-18031417213", 3, -2, -3))

# The same objects holding what agents send when they know no value, or junk: each gives no
# value and a note, never a value; the well-formed model still names the device.
write("epson-malformed", [
    UPTIME,
    (EP + ".1.1.1.2.1", s("L3250 Series")),
    (EP + ".1.1.1.5.1", s("0000000000")),  # all zeros
    (EP + ".2.1.1.2.1.1", "4x|41420708ff09"),  # binary: "AB" and control bytes
])
write("toshiba-malformed", [
    UPTIME,
    (TB + ".1.1.0", "6|1.3.6.1.4.1.1129"),  # an OBJECT IDENTIFIER, not text
    (TB + ".1.2.0", s("B" + "1" * 300)),  # longer than any version
    (TB + ".2.1.0", s("e-STUDIO3015AC")),
])
# OKI print servers (OkiLAN) and ZebraNet servers keep Extended Systems' output table
# (ESI-MIB 683.6.2.3.2.1; OKIDATA-MIB repeats it under 2001.1.2.683): outputExtendedStatus (.5)
# an enum, outputPrinterDisplay (.16) the panel's text; OKI's own stLcdMessage
# (2001.1.1.1.1.2.20.0). No Host Resources printer objects, no alert table: a jam reads only
# there.
OKI_OUT = "1.3.6.1.4.1.2001.1.2.683.6.2.3.2.1"
OKILAN = [
    ("1.3.6.1.2.1.1.1.0", s("OKI OkiLAN 8450e")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.2001.1.2.683.1"),
    UPTIME,
    (OKI + ".25.0", s("B432")),
]
write("oki-okilan-jam", OKILAN + [
    ("1.3.6.1.4.1.2001.1.1.1.1.2.20.0", s("PAPER JAM TRAY1")),
    (OKI_OUT + ".4.1", "2|1"),  # on-line (not read)
    (OKI_OUT + ".5.1", "2|5"),  # paper-Jam
    (OKI_OUT + ".16.1", s("JAM")),  # the server's shorter copy: stLcdMessage comes first
    ("1.3.6.1.2.1.43.10.2.1.4.1.1", "65|48210"),
])
# The same at rest, and one whose server sends a code ESI does not list (9) and a status that
# is no number at its second port (not read: port 1 only).
write("oki-okilan-odd", OKILAN + [
    (OKI_OUT + ".5.1", "2|9"),
    (OKI_OUT + ".5.2", s("jam")),
])
ESI_OUT = "1.3.6.1.4.1.683.6.2.3.2.1"
write("zebranet-head-open", [
    ("1.3.6.1.2.1.1.1.0", s("ZebraNet PrintServer")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.683.6"),
    UPTIME,
    ("1.3.6.1.4.1.683.1.4.0", s("ZTC GK420d")),
    (ESI_OUT + ".5.1", "2|6"),  # door-Open
    (ESI_OUT + ".15.1", s("ZTC GK420d")),
    (ESI_OUT + ".16.1", s("HEAD OPEN")),
])
write("oki-malformed", [
    UPTIME,
    (OKI + ".25.0", s("B432")),
    (OKI + ".45.0", s("AK5B" + "9" * 300)),  # longer than any serial
])
write("pantum-malformed", [
    UPTIME,
    (PT + ".1.1.1.1", s("0x0000")),  # hex-encoded zeros
    (PT + ".1.1.1.5", s("")),  # empty
    (PT + ".1.1.1.10", s("P2500W Series")),
    (PT + ".6.1.2", s("N/A")),  # a placeholder
    (PT + ".10.1.1.4", s("FFFFFFFFFFFF")),  # erased memory
])

# Nothing but junk in every vendor's identity objects: no vendor, model, serial or firmware
# rather than a guess.
write("private-junk", [
    UPTIME,
    (EP + ".1.1.1.2.1", "4x|ffffffff"),
    (EP + ".1.1.1.5.1", s("0")),
    (TB + ".1.1.0", "2|0"),
    (TB + ".2.1.0", "4x|5a07ff08"),
    (OKI + ".25.0", s("----")),
    (OKI + ".45.0", s("unknown")),
    (PT + ".1.1.1.5", s("0x00000000")),
    (PT + ".1.1.1.10", "4x|" + "00" * 16),
])

# A colour Xerox MFP (xerox.toml): xcmHrDevDetail lifetime counts on the printer's row 1
# (34/33 black/colour impressions, copies included; 7/29 printed; 44/43 large paper) and the
# copier's row 103 (3/25 copied). Copied + printed = impressions, and black + colour = index
# 1, the machine's total impressions, as on the machine a public Xerox meter mail shows;
# prtMarkerLifeCount is 4 pages behind it, so the panel's total must win.
XD = "1.3.6.1.4.1.253.8.53.13.2.1.6"
write("xerox-counters", [
    ("1.3.6.1.2.1.1.1.0", s("Xerox AltaLink C8045; SS 103.002.000.00000, NC 103.002.000.00000")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.253.8.62.1.38.2.18.4.1"),
    UPTIME, UNIT, (LIFE, "65|39096"),
    (XD + ".1.20.1", "2|39100"),
    (XD + ".1.20.34", "2|25900"), (XD + ".1.20.33", "2|13200"),
    (XD + ".1.20.7", "2|21800"), (XD + ".1.20.29", "2|12300"),
    (XD + ".1.20.44", "2|1500"), (XD + ".1.20.43", "2|800"),
    (XD + ".103.20.3", "2|4100"), (XD + ".103.20.25", "2|900"),
    # Fax impressions; scans sent on the scanner's row 13 (network, e-mail), fax images sent.
    (XD + ".1.20.71", "2|640"),
    (XD + ".13.20.11", "2|2200"), (XD + ".13.20.12", "2|1300"), (XD + ".13.20.13", "2|77"),
] + printer("Xerox AltaLink C8045"))

# An older Xerox whose copier is hrDevice row 11 and whose agent has neither the
# impressions cells nor prtMarkerLifeCount: black/colour and the total come from printed +
# copied.
write("xerox-counters-row11", [
    ("1.3.6.1.2.1.1.1.0", s("Xerox WorkCentre 7435 v1 Multifunction System")),
    ("1.3.6.1.2.1.1.2.0", "6|1.3.6.1.4.1.253.8.62.1.20.4.4.1"),
    UPTIME,
    (XD + ".1.20.7", "2|5000"), (XD + ".1.20.29", "2|2000"),
    (XD + ".11.20.3", "2|800"), (XD + ".11.20.25", "2|300"),
] + printer("Xerox WorkCentre 7435"))
