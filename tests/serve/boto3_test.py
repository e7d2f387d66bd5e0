"""boto3_test.py -- kv serve driven by boto3 (Debian's python3-boto3).

Every operation the library serves, through boto3's client and resource
layers: tables (with boto3's waiters), items of every attribute type,
ReturnValues and ReturnConsumedCapacity, and the operations that are
still arriving in the library (UpdateItem, Query, Scan, batches,
transactions, UpdateTable), each exercised once the server stops
answering it with UnknownOperationException.  Then throttling, once the
library enforces provisioned capacity: botocore must retry
ProvisionedThroughputExceededException and finally raise it.  Last,
signatures made by botocore against a server started with --credentials.

    python3 boto3_test.py KV
"""

import decimal
import http.client
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kvserve  # noqa: E402

kvserve.reexec_with_debian_python("boto3")
try:
    import boto3  # noqa: E402
except ImportError:
    kvserve.skip_all("boto3 is not installed (Debian package python3-boto3)")
import warnings  # noqa: E402
import botocore.auth  # noqa: E402
import botocore.awsrequest  # noqa: E402
import botocore.credentials  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

# Operations this file exercises; any other served one is reported.
COVERED = {"CreateTable", "DescribeTable", "ListTables", "DeleteTable", "PutItem", "GetItem",
           "DeleteItem", "UpdateItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
           "TransactGetItems", "TransactWriteItems", "UpdateTable"}

KEYS = dict(aws_access_key_id="AKIDBOTO3", aws_secret_access_key="boto3-secret")


def client(server, **config):
    return boto3.client("dynamodb", endpoint_url=server.url, region_name="us-east-1",
                        config=Config(**config) if config else None, **KEYS)


def music_table(ddb, name="Music", **extra):
    args = dict(TableName=name,
                AttributeDefinitions=[{"AttributeName": "Artist", "AttributeType": "S"},
                                      {"AttributeName": "SongTitle", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "Artist", "KeyType": "HASH"},
                           {"AttributeName": "SongTitle", "KeyType": "RANGE"}])
    args.update(extra or {"BillingMode": "PAY_PER_REQUEST"})
    return ddb.create_table(**args)


def key(artist, title):
    return {"Artist": {"S": artist}, "SongTitle": {"S": title}}


def code(err):
    return err.exception.response["Error"]["Code"]


class Boto3(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        warnings.simplefilter("ignore", ResourceWarning)  # boto3's pooled connections
        cls.server = kvserve.Server("--no-sync")
        cls.ddb = client(cls.server)
        cls.supported = set(kvserve.supported_operations(cls.server))
        extra = sorted(cls.supported - COVERED)
        if extra:
            print("NOTE: served but not exercised by the client tests: " + ", ".join(extra))

    @classmethod
    def tearDownClass(cls):
        rc, _ = cls.server.stop()
        assert rc == 0

    def need(self, *ops):
        missing = [op for op in ops if op not in self.supported]
        if missing:
            self.skipTest("the library does not serve %s yet" % ", ".join(missing))

    # -- tables -----------------------------------------------------------

    def test_01_tables(self):
        created = music_table(self.ddb, "Tables1")["TableDescription"]
        self.assertEqual(created["TableName"], "Tables1")
        self.assertEqual(created["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.ddb.get_waiter("table_exists").wait(TableName="Tables1",
                                                 WaiterConfig={"Delay": 1})
        table = self.ddb.describe_table(TableName="Tables1")["Table"]
        self.assertEqual(table["TableStatus"], "ACTIVE")
        self.assertEqual(table["KeySchema"][0], {"AttributeName": "Artist", "KeyType": "HASH"})
        with self.assertRaises(ClientError) as err:
            music_table(self.ddb, "Tables1")
        self.assertEqual(code(err), "ResourceInUseException")
        for i in range(5):
            music_table(self.ddb, "Page%d" % i)
        names = []
        for page in self.ddb.get_paginator("list_tables").paginate(PaginationConfig={
                "PageSize": 2}):
            names += page["TableNames"]
        self.assertEqual([n for n in names if n.startswith("Page")],
                         ["Page0", "Page1", "Page2", "Page3", "Page4"])
        self.ddb.delete_table(TableName="Tables1")
        self.ddb.get_waiter("table_not_exists").wait(TableName="Tables1",
                                                     WaiterConfig={"Delay": 1})
        with self.assertRaises(ClientError) as err:
            self.ddb.describe_table(TableName="Tables1")
        self.assertEqual(code(err), "ResourceNotFoundException")
        self.assertEqual(err.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertRegex(err.exception.response["ResponseMetadata"]["RequestId"],
                         r"^[A-Z0-9]{52}$")

    # -- items --------------------------------------------------------------

    def test_02_items_every_type(self):
        music_table(self.ddb, "Items2")
        item = dict(key("Acme", "Happy Day"), **{
            "Year": {"N": "2015"}, "Price": {"N": "-1.50"}, "Cover": {"B": b"\x00\xffpng"},
            "Live": {"BOOL": True}, "Label": {"NULL": True},
            "Tags": {"SS": ["rock", "pop"]}, "Charts": {"NS": ["1", "2.5"]},
            "Blobs": {"BS": [b"a", b"b"]},
            "Info": {"M": {"Studio": {"S": "B"}, "Takes": {"L": [{"N": "1"}, {"S": "x"}]}}}})
        resp = self.ddb.put_item(TableName="Items2", Item=item, ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", resp)
        got = self.ddb.get_item(TableName="Items2", Key=key("Acme", "Happy Day"),
                                ConsistentRead=True)["Item"]
        self.assertEqual(got["Price"], {"N": "-1.5"})  # DynamoDB's normal form
        self.assertEqual(got["Cover"], {"B": b"\x00\xffpng"})
        self.assertEqual(set(got["Tags"]["SS"]), {"rock", "pop"})
        self.assertEqual(got["Info"], item["Info"])
        old = self.ddb.put_item(TableName="Items2", Item=key("Acme", "Happy Day"),
                                ReturnValues="ALL_OLD")["Attributes"]
        self.assertEqual(old["Year"], {"N": "2015"})
        old = self.ddb.delete_item(TableName="Items2", Key=key("Acme", "Happy Day"),
                                   ReturnValues="ALL_OLD")["Attributes"]
        self.assertEqual(old, key("Acme", "Happy Day"))
        self.assertNotIn("Item", self.ddb.get_item(TableName="Items2",
                                                   Key=key("Acme", "Happy Day")))

    def test_03_resource_layer(self):
        music_table(self.ddb, "Items3")
        res = boto3.resource("dynamodb", endpoint_url=self.server.url, region_name="us-east-1",
                             **KEYS)
        table = res.Table("Items3")
        table.put_item(Item={"Artist": "A", "SongTitle": "S", "Plays": decimal.Decimal("12.5"),
                             "Tags": {"x", "y"}, "Raw": b"\x01", "Nested": {"L": [1, "two"]}})
        item = table.get_item(Key={"Artist": "A", "SongTitle": "S"})["Item"]
        self.assertEqual(item["Plays"], decimal.Decimal("12.5"))
        self.assertEqual(item["Tags"], {"x", "y"})
        self.assertEqual(item["Raw"].value, b"\x01")
        self.assertEqual(item["Nested"], {"L": [decimal.Decimal(1), "two"]})
        self.assertEqual(table.item_count, 1)

    def test_04_validation(self):
        music_table(self.ddb, "Items4")
        with self.assertRaises(ClientError) as err:
            self.ddb.put_item(TableName="Items4", Item={"Artist": {"S": "only the hash"}})
        self.assertEqual(code(err), "ValidationException")
        self.assertIn("Missing the key SongTitle", err.exception.response["Error"]["Message"])
        with self.assertRaises(ClientError) as err:
            self.ddb.get_item(TableName="NoSuchTable", Key=key("a", "b"))
        self.assertEqual(code(err), "ResourceNotFoundException")

    def test_05_consumed_capacity(self):
        music_table(self.ddb, "Cap5")
        big = dict(key("A", "big"), Blob={"B": b"x" * 3000})
        cc = self.ddb.put_item(TableName="Cap5", Item=big,
                               ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
        self.assertEqual(cc, {"TableName": "Cap5", "CapacityUnits": 3.0})
        cc = self.ddb.get_item(TableName="Cap5", Key=key("A", "big"),
                               ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
        self.assertEqual(cc, {"TableName": "Cap5", "CapacityUnits": 0.5})
        cc = self.ddb.get_item(TableName="Cap5", Key=key("A", "big"), ConsistentRead=True,
                               ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
        self.assertEqual(cc, {"TableName": "Cap5", "CapacityUnits": 1.0})
        cc = self.ddb.delete_item(TableName="Cap5", Key=key("A", "big"),
                                  ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
        self.assertEqual(cc, {"TableName": "Cap5", "CapacityUnits": 3.0})
        resp = self.ddb.put_item(TableName="Cap5", Item=key("A", "small"),
                                 ReturnConsumedCapacity="NONE")
        self.assertNotIn("ConsumedCapacity", resp)

    # -- operations arriving in the library --------------------------------

    def load(self, table, n=10):
        music_table(self.ddb, table)
        for i in range(n):
            self.ddb.put_item(TableName=table, Item=dict(key("Band", "song%02d" % i),
                                                         Plays={"N": str(i)}))

    def test_10_update_item(self):
        self.need("UpdateItem")
        self.load("Upd10", 1)
        resp = self.ddb.update_item(
            TableName="Upd10", Key=key("Band", "song00"),
            UpdateExpression="SET Plays = Plays + :one, #g = :g",
            ExpressionAttributeNames={"#g": "Genre"},
            ExpressionAttributeValues={":one": {"N": "1"}, ":g": {"S": "rock"}},
            ReturnValues="ALL_NEW", ReturnConsumedCapacity="TOTAL")
        self.assertEqual(resp["Attributes"]["Plays"], {"N": "1"})
        self.assertEqual(resp["Attributes"]["Genre"], {"S": "rock"})
        self.assertEqual(resp["ConsumedCapacity"]["CapacityUnits"], 1.0)
        with self.assertRaises(ClientError) as err:
            self.ddb.update_item(TableName="Upd10", Key=key("Band", "song00"),
                                 UpdateExpression="SET Plays = :z",
                                 ConditionExpression="Plays = :z",
                                 ExpressionAttributeValues={":z": {"N": "0"}})
        self.assertEqual(code(err), "ConditionalCheckFailedException")

    def test_11_query(self):
        self.need("Query")
        self.load("Query11")
        pages = self.ddb.get_paginator("query").paginate(
            TableName="Query11", KeyConditionExpression="Artist = :a AND SongTitle > :s",
            ExpressionAttributeValues={":a": {"S": "Band"}, ":s": {"S": "song04"}},
            ScanIndexForward=False, PaginationConfig={"PageSize": 2})
        titles = [i["SongTitle"]["S"] for p in pages for i in p["Items"]]
        self.assertEqual(titles, ["song09", "song08", "song07", "song06", "song05"])
        resp = self.ddb.query(TableName="Query11", KeyConditionExpression="Artist = :a",
                              ExpressionAttributeValues={":a": {"S": "Band"}},
                              Select="COUNT", ReturnConsumedCapacity="TOTAL")
        self.assertEqual(resp["Count"], 10)
        self.assertEqual(resp["ConsumedCapacity"]["CapacityUnits"], 0.5)

    def test_12_scan(self):
        self.need("Scan")
        self.load("Scan12")
        items = [i for p in self.ddb.get_paginator("scan").paginate(
            TableName="Scan12", PaginationConfig={"PageSize": 3}) for i in p["Items"]]
        self.assertEqual(len(items), 10)
        resp = self.ddb.scan(TableName="Scan12", FilterExpression="Plays >= :n",
                             ExpressionAttributeValues={":n": {"N": "7"}})
        self.assertEqual((resp["Count"], resp["ScannedCount"]), (3, 10))

    def test_13_batches(self):
        self.need("BatchWriteItem", "BatchGetItem")
        music_table(self.ddb, "Batch13")
        puts = [{"PutRequest": {"Item": key("B", "s%d" % i)}} for i in range(25)]
        resp = self.ddb.batch_write_item(RequestItems={"Batch13": puts})
        self.assertEqual(resp["UnprocessedItems"], {})
        resp = self.ddb.batch_get_item(RequestItems={"Batch13": {
            "Keys": [key("B", "s%d" % i) for i in range(0, 25, 5)]}},
            ReturnConsumedCapacity="TOTAL")
        self.assertEqual(len(resp["Responses"]["Batch13"]), 5)
        self.assertEqual(resp["UnprocessedKeys"], {})
        self.assertEqual(resp["ConsumedCapacity"][0]["TableName"], "Batch13")

    def test_14_transactions(self):
        self.need("TransactWriteItems", "TransactGetItems")
        music_table(self.ddb, "Tx14")
        self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "Tx14", "Item": key("T", "a")}},
            {"Put": {"TableName": "Tx14", "Item": key("T", "b")}}])
        resp = self.ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": "Tx14", "Key": key("T", "a")}},
            {"Get": {"TableName": "Tx14", "Key": key("T", "zz")}}])
        self.assertEqual(resp["Responses"][0]["Item"], key("T", "a"))
        self.assertEqual(resp["Responses"][1], {})
        with self.assertRaises(ClientError) as err:
            self.ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": "Tx14", "Item": key("T", "c")}},
                {"ConditionCheck": {"TableName": "Tx14", "Key": key("T", "zz"),
                                    "ConditionExpression": "attribute_exists(Artist)"}}])
        self.assertEqual(code(err), "TransactionCanceledException")
        self.assertNotIn("Item", self.ddb.get_item(TableName="Tx14", Key=key("T", "c")))

    def test_16_secondary_index(self):
        self.need("Query")
        try:
            self.ddb.create_table(
                TableName="Idx16", BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "Artist", "AttributeType": "S"},
                                      {"AttributeName": "SongTitle", "AttributeType": "S"},
                                      {"AttributeName": "Genre", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "Artist", "KeyType": "HASH"},
                           {"AttributeName": "SongTitle", "KeyType": "RANGE"}],
                GlobalSecondaryIndexes=[{
                    "IndexName": "ByGenre", "Projection": {"ProjectionType": "ALL"},
                    "KeySchema": [{"AttributeName": "Genre", "KeyType": "HASH"}]}])
        except ClientError as e:
            self.skipTest("the library refuses secondary indexes: %s" % e)
        self.ddb.get_waiter("table_exists").wait(TableName="Idx16", WaiterConfig={"Delay": 1})

        def index_active():
            table = self.ddb.describe_table(TableName="Idx16")["Table"]
            gsi = table["GlobalSecondaryIndexes"][0]
            return gsi["IndexName"] == "ByGenre" and gsi["IndexStatus"] == "ACTIVE"
        # A new index is CREATING for a moment, as in DynamoDB.
        self.assertTrue(kvserve.wait_until(index_active, 30))
        for i, genre in enumerate(["rock", "jazz", "rock"]):
            self.ddb.put_item(TableName="Idx16", Item=dict(key("A", "s%d" % i),
                                                           Genre={"S": genre}))
        resp = self.ddb.query(TableName="Idx16", IndexName="ByGenre",
                              KeyConditionExpression="Genre = :g",
                              ExpressionAttributeValues={":g": {"S": "rock"}},
                              ReturnConsumedCapacity="INDEXES")
        self.assertEqual(sorted(i["SongTitle"]["S"] for i in resp["Items"]), ["s0", "s2"])
        self.assertIn("ByGenre", resp["ConsumedCapacity"]["GlobalSecondaryIndexes"])

    def test_15_update_table(self):
        self.need("UpdateTable")
        music_table(self.ddb, "UpdT15")
        desc = self.ddb.update_table(TableName="UpdT15", BillingMode="PROVISIONED",
                                     ProvisionedThroughput={"ReadCapacityUnits": 5,
                                                            "WriteCapacityUnits": 5})
        self.assertEqual(desc["TableDescription"]["TableName"], "UpdT15")
        self.ddb.get_waiter("table_exists").wait(TableName="UpdT15", WaiterConfig={"Delay": 1})
        pt = self.ddb.describe_table(TableName="UpdT15")["Table"]["ProvisionedThroughput"]
        self.assertEqual((pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]), (5, 5))


class Throttling(unittest.TestCase):
    """A table with 1 WCU: botocore retries, then raises the exception."""

    def test_01_retries_then_raises(self):
        with kvserve.Server("--no-sync") as server:
            if not kvserve.throttling_enforced(server, "Slow"):
                server.stop()
                self.skipTest("the library does not enforce provisioned capacity yet")
            big = {"id": {"S": "big"}, "blob": {"S": "x" * kvserve.BIG_ITEM_BYTES}}
            for mode, attempts in (("standard", 3), ("legacy", 4)):
                ddb = client(server, retries={"mode": mode, "total_max_attempts": attempts})
                with self.assertRaises(ClientError) as err:
                    ddb.put_item(TableName="Slow", Item=big)
                self.assertEqual(code(err), "ProvisionedThroughputExceededException")
                meta = err.exception.response["ResponseMetadata"]
                self.assertEqual(meta["RetryAttempts"], attempts - 1, mode)
                self.assertEqual(meta["HTTPStatusCode"], 400)
            self.assertEqual(server.stop()[0], 0)
        with kvserve.Server("--no-sync", "--unlimited-capacity") as server:
            self.assertFalse(kvserve.throttling_enforced(server, "Slow"))
            self.assertEqual(server.stop()[0], 0)


class Signatures(unittest.TestCase):
    """With --credentials, botocore's signatures pass and nothing else does."""

    @classmethod
    def setUpClass(cls):
        path = os.path.join(kvserve.scratch_dir("creds-"), "credentials")
        with open(path, "w") as f:
            f.write("# kv serve test keys\nAKIDOTHER other-secret\n%s %s\n"
                    % (KEYS["aws_access_key_id"], KEYS["aws_secret_access_key"]))
        os.chmod(path, 0o600)
        warnings.simplefilter("ignore", ResourceWarning)
        cls.server = kvserve.Server("--no-sync", "--credentials", path)

    @classmethod
    def tearDownClass(cls):
        rc, _ = cls.server.stop()
        assert rc == 0

    def test_01_signed_by_botocore_passes(self):
        ddb = client(self.server)
        music_table(ddb, "Signed")
        ddb.put_item(TableName="Signed", Item=key("a", "b"))
        self.assertIn("Signed", ddb.list_tables()["TableNames"])

    def test_02_wrong_secret(self):
        ddb = boto3.client("dynamodb", endpoint_url=self.server.url, region_name="eu-west-1",
                           aws_access_key_id=KEYS["aws_access_key_id"],
                           aws_secret_access_key="not-the-secret")
        with self.assertRaises(ClientError) as err:
            ddb.list_tables()
        self.assertEqual(code(err), "InvalidSignatureException")
        self.assertTrue(err.exception.response["Error"]["Message"].startswith(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details."))

    def test_03_unknown_key(self):
        ddb = boto3.client("dynamodb", endpoint_url=self.server.url, region_name="us-east-1",
                           aws_access_key_id="AKIDUNKNOWN", aws_secret_access_key="x")
        with self.assertRaises(ClientError) as err:
            ddb.list_tables()
        self.assertEqual(code(err), "UnrecognizedClientException")
        self.assertEqual(err.exception.response["Error"]["Message"],
                         "The security token included in the request is invalid.")

    def send(self, body, tamper=None):
        """Sign a PutItem with botocore's SigV4Auth, optionally alter it, send it raw."""
        url = self.server.url + "/"
        headers = {"Content-Type": "application/x-amz-json-1.0",
                   "X-Amz-Target": "DynamoDB_20120810.PutItem"}
        req = botocore.awsrequest.AWSRequest("POST", url, data=body, headers=headers)
        creds = botocore.credentials.Credentials(KEYS["aws_access_key_id"],
                                                 KEYS["aws_secret_access_key"])
        botocore.auth.SigV4Auth(creds, "dynamodb", "us-east-1").add_auth(req)
        prepared = dict(req.headers.items())
        if tamper:
            body = tamper(body, prepared)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request("POST", "/", body=body, headers=prepared)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, data

    def test_04_tampered_request_fails(self):
        ddb = client(self.server)
        music_table(ddb, "Tamper")
        body = b'{"TableName":"Tamper","Item":{"Artist":{"S":"a"},"SongTitle":{"S":"b"}}}'
        self.assertEqual(self.send(body)[0], 200)
        changed = body.replace(b'"b"', b'"c"')
        status, data = self.send(body, lambda b, h: changed)
        self.assertEqual(status, 400)
        self.assertIn(b"com.amazon.coral.service#InvalidSignatureException", data)

        def retarget(b, h):
            h["X-Amz-Target"] = "DynamoDB_20120810.DeleteTable"
            return b'{"TableName":"Tamper"}'
        status, data = self.send(body, retarget)
        self.assertEqual(status, 400)
        self.assertIn(b"InvalidSignatureException", data)
        # Nothing the altered requests asked for happened.
        self.assertNotIn("Item", ddb.get_item(TableName="Tamper", Key=key("a", "c")))
        self.assertIn("Tamper", ddb.list_tables()["TableNames"])


if __name__ == "__main__":
    if len(sys.argv) > 1:
        os.environ.setdefault("KV", sys.argv.pop(1))
    unittest.main(verbosity=2)
