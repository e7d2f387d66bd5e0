#!/usr/bin/env python3
"""shape_eq.py -- compare two JSON documents by shape.

usage: shape_eq.py EXPECTED_FILE < ACTUAL

Objects must have the same member names (in any order: DynamoDB returns an
item's attributes in no fixed order), lists the same length, scalars the
same value.  Prints the first difference and exits 1 when they differ.
"""
import json
import sys


def diff(want, got, path="$"):
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"{path}: want an object, got {json.dumps(got)}"
        if set(want) != set(got):
            return f"{path}: members {sorted(got)}, want {sorted(want)}"
        for k in want:
            d = diff(want[k], got[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            return f"{path}: want {len(want)} elements, got {json.dumps(got)}"
        for i, (w, g) in enumerate(zip(want, got)):
            d = diff(w, g, f"{path}[{i}]")
            if d:
                return d
        return None
    if type(want) is not type(got) or want != got:
        return f"{path}: want {json.dumps(want)}, got {json.dumps(got)}"
    return None


with open(sys.argv[1]) as f:
    expected = json.load(f)
actual = json.load(sys.stdin)
problem = diff(expected, actual)
if problem:
    print(problem)
    sys.exit(1)
