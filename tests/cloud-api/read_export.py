#!/usr/bin/python3
"""Reads an export of the cloud API back, independently of the code that wrote it, and prints
what a spreadsheet user would see as JSON on stdout (tests/cloud-api/export_test.cpp).

  read_export.py xlsx FILE        sheets, frozen cell, autofilter, every cell with its type
                                  (openpyxl: s text, n number, b boolean, d date-time, f formula),
                                  value, bold flag and number format
  read_export.py csv FILE SEP     rows of the CSV as lists of strings (Python's csv module, the
                                  reader of RFC 4180 files most tools share); a UTF-8 BOM is
                                  reported and removed first

Debian's interpreter (/usr/bin/python3) with python3-openpyxl (scripts/setup installs it):
openpyxl is a test tool only, never a dependency of the product.
"""
import csv
import datetime
import io
import json
import sys


def cell_value(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return value


def read_xlsx(path):
    import openpyxl  # imported here so the csv mode works without it

    book = openpyxl.load_workbook(path)  # not read_only: freeze panes and fonts are needed
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows():
        rows.append([{"t": c.data_type, "v": cell_value(c.value), "bold": bool(c.font.b),
                      "fmt": c.number_format} for c in row])
    return {
        "sheets": book.sheetnames,
        "freeze": sheet.freeze_panes,
        "auto_filter": sheet.auto_filter.ref,
        "max_row": sheet.max_row,
        "max_column": sheet.max_column,
        "rows": rows,
    }


def read_csv(path, separator):
    with open(path, "rb") as f:
        data = f.read()
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8") if bom else data.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"',
                           strict=True))
    return {"bom": bom, "rows": rows}


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "xlsx":
        out = read_xlsx(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "csv":
        out = read_csv(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: read_export.py xlsx FILE | csv FILE SEP")
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
