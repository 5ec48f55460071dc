#!/usr/bin/env python3
"""Writes one printer in two moments, for the event tests (tests/scanner/events_test.cpp).

Both are tests/data/printers/hp-m477.snmprec with a prtCoverTable (front door, rear interlock)
and their own device status and console text:
- closed.snmprec: running, every cover closed, the panel says "Ready";
- open.snmprec:   down, the front door open, the panel says "Close front door".
Run from this folder after changing the source printer: ./generate.py
"""
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent / "printers" / "hp-m477.snmprec"

HR_DEVICE_STATUS = "1.3.6.1.2.1.25.3.2.1.5.1"
CONSOLE_1 = "1.3.6.1.2.1.43.16.5.1.2.1.1"
COVER = "1.3.6.1.2.1.43.6.1.1"


def oid_key(line):
    return tuple(int(p) for p in line.split("|", 1)[0].split("."))


def moment(device_status, console, front_status):
    rows = {}
    for line in SOURCE.read_text().splitlines():
        if line.strip():
            rows[line.split("|", 1)[0]] = line
    rows[HR_DEVICE_STATUS] = f"{HR_DEVICE_STATUS}|2|{device_status}"
    rows[CONSOLE_1] = f"{CONSOLE_1}|4|{console}"
    # prtCoverDescription / prtCoverStatus: coverOpen(3), coverClosed(4), interlockClosed(6).
    rows[f"{COVER}.2.1.1"] = f"{COVER}.2.1.1|4|Front Door"
    rows[f"{COVER}.2.1.2"] = f"{COVER}.2.1.2|4|Rear Interlock"
    rows[f"{COVER}.3.1.1"] = f"{COVER}.3.1.1|2|{front_status}"
    rows[f"{COVER}.3.1.2"] = f"{COVER}.3.1.2|2|6"
    return "\n".join(sorted(rows.values(), key=oid_key)) + "\n"


(HERE / "closed.snmprec").write_text(moment(2, "Ready", 4))
(HERE / "open.snmprec").write_text(moment(5, "Close front door", 3))
