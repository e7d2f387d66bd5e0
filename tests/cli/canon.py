#!/usr/bin/env python3
"""canon.py -- one canonical line per item, sorted, for comparing item sets.

usage: canon.py [--plain] < ITEMS

Reads lines in DynamoDB's export format ({"Item": {...}}) or, with
--plain, plain JSON objects, and writes each item with sorted keys, the
lines sorted.  Numbers in plain JSON keep their text (parse_float=str)
so that no digit is lost in the comparison.
"""
import json
import sys

plain = "--plain" in sys.argv
out = []
for line in sys.stdin:
    if not line.strip():
        continue
    if plain:
        item = json.loads(line, parse_float=str, parse_int=str)
    else:
        item = json.loads(line)["Item"]
    out.append(json.dumps(item, sort_keys=True))
out.sort()
sys.stdout.write("\n".join(out) + ("\n" if out else ""))
