#!/usr/bin/env python3
"""Writes demo history for scripts/demo: an offline export file (docs/protocol.md, "Export
file") with DAYS days of daily readings of every device the demo tenant has, ending a day
before its first reading, so the cloud console has charts, page volume, cartridge changes and
days-to-empty forecasts to show from the first minute. Imported with `printmon-cloud-api
import`, exactly as a branch's offline file would be.

Each device's first reading (GET /api/v1/devices/{id}/readings?order=asc&limit=1) is the
template, so the history's counters run into the live ones without a step back: its
identity makes the history merge into the same device (the cloud keys devices by vendor and
serial); counters run back at a pace that fits the device's total; supplies with a percentage
run back at the rate that pace empties them, with a cartridge change wherever that would pass
100 %. Dates only in the past; nothing is invented beyond the demo tenant.

Usage: demo_history.py --api URL --cacert CA.pem --token TOKEN --scanner-id ID [--days 60]
"""
import argparse
import datetime as dt
import json
import random
import ssl
import sys
import urllib.request
import uuid

COUNTER_BASE = "total"


def get(args, ctx, path):
    req = urllib.request.Request(args.api.rstrip("/") + "/api/v1/" + path,
                                 headers={"Authorization": "Bearer " + args.token})
    with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:
        return json.load(resp)


def rfc3339(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def history_of(first, days, rng):
    """Daily snapshots before `first`, the device's first live reading (oldest first)."""
    snap = first["snapshot"]
    end = parse_time(snap["polled_at"])
    counters = snap.get("counters") or {}
    total = counters.get(COUNTER_BASE) or max(counters.values(), default=0)
    # An office pace: about 1/700 of the lifetime count a working day, within sane bounds, so
    # DAYS days never run the counters below zero.
    per_day = max(5, min(800, total // 700)) if total else 0
    per_day = min(per_day, total // (days * 2) if total else 0)
    # Pages printed on each past day (fewer at weekends), newest first.
    printed = []
    for d in range(1, days + 1):
        day = end - dt.timedelta(days=d)
        weight = 0.15 if day.weekday() >= 5 else rng.uniform(0.7, 1.3)
        printed.append(int(per_day * weight))
    out = []
    behind = 0  # pages printed between that day's reading and the first live one
    for d in range(1, days + 1):
        behind += printed[d - 1]
        s = json.loads(json.dumps(snap))
        s["polled_at"] = rfc3339(end - dt.timedelta(days=d, minutes=rng.randint(0, 90)))
        if isinstance(s.get("uptime"), int):
            s["uptime"] = max(0, s["uptime"] - d * 86400)
        if total:
            s["counters"] = {k: max(0, v - round(behind * v / total)) for k, v in counters.items()}
        for sup in s.get("supplies") or []:
            pct = sup.get("level_percent")
            if not isinstance(pct, int) or sup.get("class") != "consumed":
                continue
            # A black cartridge lasts about 60 days at this pace, a colour one 100 (offices print
            # mostly black), a drum three times as long.
            days_of_life = 180 if sup.get("type") == "opc" else 60
            if sup.get("color") in ("cyan", "magenta", "yellow") and sup.get("type") != "opc":
                days_of_life = 100
            life_pages = max(per_day, 1) * days_of_life
            past = pct + behind * 100.0 / life_pages
            while past > 100:  # before a cartridge change: the old cartridge, running low
                past -= 95
            level = max(1, min(100, round(past)))
            sup["level_percent"] = level
            if isinstance(sup.get("max"), int) and sup["max"] > 0:
                sup["level"] = round(level * sup["max"] / 100)
            sup["state"] = "low" if level <= 10 else "ok"
        status = s.get("status") or {}
        status.update({"device": "running", "printer": "idle", "errors": [], "alerts": [],
                       "console": "Ready"})
        s["status"] = status
        out.append(s)
    out.reverse()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)
    ap.add_argument("--cacert", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--scanner-id", required=True)
    ap.add_argument("--days", type=int, default=60)
    args = ap.parse_args()
    ctx = ssl.create_default_context(cafile=args.cacert)
    rng = random.Random(7)
    devices, readings = [], []
    for item in get(args, ctx, "devices?limit=500")["items"]:
        first = get(args, ctx, "devices/%s/readings?limit=1&order=asc" % item["device_id"])
        if not first["items"] or not first["items"][0].get("snapshot"):
            continue
        snaps = history_of(first["items"][0], args.days, rng)
        if not snaps:
            continue
        device_id = str(uuid.uuid4())
        ident = snaps[-1]["identity"]
        devices.append({"device_id": device_id, "address": snaps[-1].get("address", ""),
                        "location": "", "identity": ident, "first_seen": snaps[0]["polled_at"],
                        "last_seen": snaps[-1]["polled_at"]})
        readings += [{"reading_id": str(uuid.uuid4()), "device_id": device_id, "snapshot": s}
                     for s in snaps]
    if not devices:
        print("demo_history: no device with a reading to start from", file=sys.stderr)
        return 1
    readings.sort(key=lambda r: r["snapshot"]["polled_at"])
    batch = {"schema_version": 1, "batch_id": str(uuid.uuid4()), "scanner_id": args.scanner_id,
             "scanner_version": "0.1.0", "created_at": rfc3339(dt.datetime.now(dt.timezone.utc)),
             "devices": devices, "readings": readings, "events": []}
    json.dump({"format": "printmon-export", "version": 1, "batches": [batch]}, sys.stdout)
    print(f"demo_history: {len(readings)} readings of {len(devices)} devices over "
          f"{args.days} days", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
