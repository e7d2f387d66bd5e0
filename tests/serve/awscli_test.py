"""awscli_test.py -- kv serve driven by the AWS CLI (Debian's awscli).

Each step is one `aws dynamodb ... --endpoint-url` process, as a person
would type it: tables with the CLI's waiters and pagination, items with
ReturnValues and ReturnConsumedCapacity, errors as the CLI prints them,
the operations still arriving in the library once they are served,
throttling once provisioned capacity is enforced, and signing against a
server started with --credentials.

    python3 awscli_test.py KV
"""

import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kvserve  # noqa: E402

AWS = kvserve.debian_program("awscli", "aws")
if not AWS:
    kvserve.skip_all("the AWS CLI is not installed (Debian package awscli)")

KEY = '{"Artist":{"S":"Acme"},"SongTitle":{"S":"Happy Day"}}'
MUSIC = ["--attribute-definitions", "AttributeName=Artist,AttributeType=S",
         "AttributeName=SongTitle,AttributeType=S",
         "--key-schema", "AttributeName=Artist,KeyType=HASH",
         "AttributeName=SongTitle,KeyType=RANGE"]


class Cli:
    def __init__(self, server, key_id="AKIDCLI", secret="cli-secret", **env):
        self.server = server
        self.env = dict(os.environ, AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret,
                        AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull,
                        AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_PAGER="",
                        AWS_EC2_METADATA_DISABLED="true", **env)
        self.env.pop("AWS_PROFILE", None)

    def run(self, *args):
        """Returns (exit status, parsed JSON output or None, standard error)."""
        r = subprocess.run([AWS, "dynamodb", *args, "--endpoint-url", self.server.url,
                            "--output", "json"], capture_output=True, text=True, env=self.env,
                           timeout=120)
        out = json.loads(r.stdout) if r.stdout.strip() else None
        return r.returncode, out, r.stderr

    def ok(self, *args):
        rc, out, err = self.run(*args)
        if rc != 0:
            raise AssertionError("aws dynamodb %s failed (%d): %s" % (args[0], rc, err))
        return out


class AwsCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = kvserve.Server("--no-sync")
        cls.cli = Cli(cls.server)
        cls.supported = set(kvserve.supported_operations(cls.server))

    @classmethod
    def tearDownClass(cls):
        rc, _ = cls.server.stop()
        assert rc == 0

    def need(self, *ops):
        missing = [op for op in ops if op not in self.supported]
        if missing:
            self.skipTest("the library does not serve %s yet" % ", ".join(missing))

    def music(self, name):
        return self.cli.ok("create-table", "--table-name", name, *MUSIC,
                           "--billing-mode", "PAY_PER_REQUEST")

    def test_01_tables(self):
        out = self.music("Music")
        self.assertEqual(out["TableDescription"]["TableName"], "Music")
        self.cli.ok("wait", "table-exists", "--table-name", "Music")
        out = self.cli.ok("describe-table", "--table-name", "Music")
        self.assertEqual(out["Table"]["TableStatus"], "ACTIVE")
        for name in ("Extra1", "Extra2"):
            self.music(name)
        # --page-size makes the CLI follow LastEvaluatedTableName.
        out = self.cli.ok("list-tables", "--page-size", "1")
        self.assertEqual(out["TableNames"], ["Extra1", "Extra2", "Music"])
        out = self.cli.ok("list-tables", "--max-items", "2")
        self.assertEqual(out["TableNames"], ["Extra1", "Extra2"])
        self.assertIn("NextToken", out)
        self.cli.ok("delete-table", "--table-name", "Extra2")
        self.cli.ok("wait", "table-not-exists", "--table-name", "Extra2")

    def test_02_items(self):
        self.music("Items")
        item = '{"Artist":{"S":"Acme"},"SongTitle":{"S":"Happy Day"},"Year":{"N":"2015"}}'
        out = self.cli.ok("put-item", "--table-name", "Items", "--item", item,
                          "--return-consumed-capacity", "TOTAL")
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "Items", "CapacityUnits": 1.0})
        out = self.cli.ok("get-item", "--table-name", "Items", "--key", KEY,
                          "--consistent-read", "--return-consumed-capacity", "TOTAL")
        self.assertEqual(out["Item"]["Year"], {"N": "2015"})
        self.assertEqual(out["ConsumedCapacity"]["CapacityUnits"], 1.0)
        out = self.cli.ok("delete-item", "--table-name", "Items", "--key", KEY,
                          "--return-values", "ALL_OLD")
        self.assertEqual(out["Attributes"]["Year"], {"N": "2015"})
        self.assertIsNone(self.cli.ok("get-item", "--table-name", "Items", "--key", KEY))

    def test_03_errors(self):
        rc, _, err = self.cli.run("describe-table", "--table-name", "Nope")
        self.assertEqual(rc, 254)
        self.assertIn("An error occurred (ResourceNotFoundException) when calling the "
                      "DescribeTable operation: Requested resource not found", err)
        self.music("Errors")
        rc, _, err = self.cli.run("put-item", "--table-name", "Errors", "--item",
                                  '{"Artist":{"S":"x"}}')
        self.assertEqual(rc, 254)
        self.assertIn("(ValidationException) when calling the PutItem operation", err)

    def test_10_update_item(self):
        self.need("UpdateItem")
        self.music("Upd")
        out = self.cli.ok("update-item", "--table-name", "Upd", "--key", KEY,
                          "--update-expression", "SET Plays = :n",
                          "--expression-attribute-values", '{":n":{"N":"3"}}',
                          "--return-values", "ALL_NEW")
        self.assertEqual(out["Attributes"]["Plays"], {"N": "3"})

    def test_11_query_and_scan(self):
        self.need("Query", "Scan")
        self.music("QScan")
        for i in range(5):
            self.cli.ok("put-item", "--table-name", "QScan", "--item",
                        '{"Artist":{"S":"B"},"SongTitle":{"S":"s%d"}}' % i)
        out = self.cli.ok("query", "--table-name", "QScan",
                          "--key-condition-expression", "Artist = :a",
                          "--expression-attribute-values", '{":a":{"S":"B"}}',
                          "--page-size", "2")
        self.assertEqual([i["SongTitle"]["S"] for i in out["Items"]],
                         ["s0", "s1", "s2", "s3", "s4"])
        out = self.cli.ok("scan", "--table-name", "QScan", "--page-size", "2")
        self.assertEqual(out["Count"], 5)

    def test_12_batches_and_transactions(self):
        self.need("BatchWriteItem", "BatchGetItem", "TransactWriteItems", "TransactGetItems")
        self.music("BatchTx")
        puts = [{"PutRequest": {"Item": {"Artist": {"S": "B"}, "SongTitle": {"S": "s%d" % i}}}}
                for i in range(3)]
        out = self.cli.ok("batch-write-item", "--request-items", json.dumps({"BatchTx": puts}))
        self.assertEqual(out["UnprocessedItems"], {})
        keys = [p["PutRequest"]["Item"] for p in puts]
        out = self.cli.ok("batch-get-item", "--request-items",
                          json.dumps({"BatchTx": {"Keys": keys}}))
        self.assertEqual(len(out["Responses"]["BatchTx"]), 3)
        self.cli.ok("transact-write-items", "--transact-items", json.dumps(
            [{"Delete": {"TableName": "BatchTx", "Key": keys[0]}}]))
        out = self.cli.ok("transact-get-items", "--transact-items", json.dumps(
            [{"Get": {"TableName": "BatchTx", "Key": k}} for k in keys[:2]]))
        self.assertEqual(out["Responses"][0], {})
        self.assertEqual(out["Responses"][1]["Item"], keys[1])


class Throttling(unittest.TestCase):
    def test_01_cli_gives_up_with_the_exception(self):
        with kvserve.Server("--no-sync") as server:
            if not kvserve.throttling_enforced(server, "Slow"):
                server.stop()
                self.skipTest("the library does not enforce provisioned capacity yet")
            cli = Cli(server, AWS_RETRY_MODE="standard", AWS_MAX_ATTEMPTS="2")
            item = json.dumps({"id": {"S": "big"}, "blob": {"S": "x" * kvserve.BIG_ITEM_BYTES}})
            path = os.path.join(kvserve.scratch_dir("cli-"), "item.json")
            with open(path, "w") as f:
                f.write(item)
            rc, _, err = cli.run("put-item", "--table-name", "Slow", "--item", "file://" + path)
            self.assertEqual(rc, 254)
            self.assertIn("An error occurred (ProvisionedThroughputExceededException) when "
                          "calling the PutItem operation (reached max retries: 1)", err)
            self.assertEqual(server.stop()[0], 0)


class Signatures(unittest.TestCase):
    def test_01_signed_requests(self):
        path = os.path.join(kvserve.scratch_dir("creds-"), "credentials")
        with open(path, "w") as f:
            f.write("AKIDCLI cli-secret\n")
        os.chmod(path, 0o600)
        with kvserve.Server("--no-sync", "--credentials", path) as server:
            self.assertEqual(Cli(server).ok("list-tables"), {"TableNames": []})
            rc, _, err = Cli(server, secret="wrong").run("list-tables")
            self.assertEqual(rc, 254)
            self.assertIn("(InvalidSignatureException)", err)
            rc, _, err = Cli(server, key_id="AKIDNOBODY").run("list-tables")
            self.assertEqual(rc, 254)
            self.assertIn("(UnrecognizedClientException) when calling the ListTables "
                          "operation: The security token included in the request is invalid.",
                          err)
            self.assertEqual(server.stop()[0], 0)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        os.environ.setdefault("KV", sys.argv.pop(1))
    print("AWS CLI: " + subprocess.run([AWS, "--version"], capture_output=True,
                                       text=True).stdout.strip())
    unittest.main(verbosity=2)
