"""setup.py -- create and fill the benchmark table, write the request bodies.

    python3 setup.py URL DIR

Table "Bench": partition key pk (S), sort key sk (N), on demand.  Partition
"p0" gets 100 items of about 100 bytes, so the Query body returns 100
items.  DIR receives GetItem.json, PutItem.json and Query.json.
"""

import http.client
import json
import os
import sys
import time
import urllib.parse

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0" * 64)


def call(url, op, payload):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request("POST", "/", body=json.dumps(payload), headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op,
        "X-Amz-Date": "20150830T123600Z", "Authorization": AUTH})
    resp = conn.getresponse()
    body = json.loads(resp.read())
    conn.close()
    if resp.status != 200:
        raise SystemExit("%s failed: %s" % (op, body))
    return body


def item(pk, sk):
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}, "title": {"S": "Song number %d" % sk},
            "artist": {"S": "Some Band"}, "year": {"N": str(1990 + sk % 30)},
            "tags": {"SS": ["rock", "live"]}}


def main(url, out):
    call(url, "CreateTable", {
        "TableName": "Bench",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "BillingMode": "PAY_PER_REQUEST"})
    while call(url, "DescribeTable", {"TableName": "Bench"})["Table"]["TableStatus"] != "ACTIVE":
        time.sleep(0.1)
    for sk in range(100):
        call(url, "PutItem", {"TableName": "Bench", "Item": item("p0", sk)})
    bodies = {
        "GetItem": {"TableName": "Bench", "Key": {"pk": {"S": "p0"}, "sk": {"N": "42"}}},
        "PutItem": {"TableName": "Bench", "Item": item("p1", 1)},
        "Query": {"TableName": "Bench", "KeyConditionExpression": "pk = :p",
                  "ExpressionAttributeValues": {":p": {"S": "p0"}}},
    }
    for op, body in bodies.items():
        with open(os.path.join(out, op + ".json"), "w") as f:
            json.dump(body, f)
    got = call(url, "GetItem", bodies["GetItem"])
    assert got["Item"]["sk"] == {"N": "42"}, got


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
