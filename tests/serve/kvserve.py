"""kvserve.py -- start and stop `kv serve` for the Python-driven tests.

Each test starts its own server on a free port (--port 0; the port is read
from the first line the server prints) over a fresh database directory,
and stops it with SIGTERM, checking that it exits cleanly.  Raw requests
go through http.client so the tests see exactly what the server sends.
"""

import atexit
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

# Every operation of the DynamoDB API (version 2012-08-10).
ALL_OPERATIONS = """
BatchExecuteStatement BatchGetItem BatchWriteItem CreateBackup CreateGlobalTable CreateTable
DeleteBackup DeleteItem DeleteResourcePolicy DeleteTable DescribeBackup
DescribeContinuousBackups DescribeContributorInsights DescribeEndpoints DescribeExport
DescribeGlobalTable DescribeGlobalTableSettings DescribeImport
DescribeKinesisStreamingDestination DescribeLimits DescribeTable
DescribeTableReplicaAutoScaling DescribeTimeToLive DisableKinesisStreamingDestination
EnableKinesisStreamingDestination ExecuteStatement ExecuteTransaction
ExportTableToPointInTime GetItem GetResourcePolicy ImportTable ListBackups
ListContributorInsights ListExports ListGlobalTables ListImports ListTables
ListTagsOfResource PutItem PutResourcePolicy Query RestoreTableFromBackup
RestoreTableToPointInTime Scan TagResource TransactGetItems TransactWriteItems UntagResource
UpdateContinuousBackups UpdateContributorInsights UpdateGlobalTable UpdateGlobalTableSettings
UpdateItem UpdateKinesisStreamingDestination UpdateTable UpdateTableReplicaAutoScaling
UpdateTimeToLive
""".split()

FAKE_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/aws4_request, "
             "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0" * 64)


def kv_path():
    return os.environ.get("KV") or sys.argv[1]


_scratch_root = None


def scratch_dir(prefix):
    """A fresh directory, removed with everything in it when the test exits."""
    global _scratch_root
    if _scratch_root is None:
        _scratch_root = tempfile.mkdtemp(prefix="run-", dir=os.environ.get("KV_SERVE_TMP"))
        atexit.register(shutil.rmtree, _scratch_root, True)
    return tempfile.mkdtemp(prefix=prefix, dir=_scratch_root)


class Server:
    """A running `kv serve`; use as a context manager."""

    def __init__(self, *args, db=None):
        self.db = db or os.path.join(scratch_dir("serve-"), "db")
        # KV_SERVE_WRAPPER runs the server under a checker such as valgrind.
        wrapper = os.environ.get("KV_SERVE_WRAPPER", "").split()
        cmd = [*wrapper, kv_path(), "serve", "--db", self.db, "--port", "0", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        # Drained all along, so a chatty server never blocks on a full pipe.
        self.err_lines = []
        self.err_reader = threading.Thread(target=self._drain, daemon=True)
        self.err_reader.start()
        line = self.proc.stdout.readline()
        m = re.search(r"listening on http://(\S+):(\d+) ", line)
        if not m:
            self.proc.wait(10)
            self.err_reader.join(10)
            raise RuntimeError(f"kv serve did not start: {line!r} {self.stderr_text()!r}")
        self.host = m.group(1).strip("[]")
        self.port = int(m.group(2))
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.stop()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Signal the server and return its exit status and standard error."""
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        self.err_reader.join(10)
        self.proc.stdout.close()
        return self.proc.returncode, self.stderr_text()

    def _drain(self):
        for line in self.proc.stderr:
            self.err_lines.append(line)
        self.proc.stderr.close()

    def stderr_text(self):
        return "".join(self.err_lines)

    def connect(self):
        # Under a checker, parsing a 16 MB body takes a while.
        slow = bool(os.environ.get("KV_SERVE_WRAPPER"))
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=300 if slow else 30)

    def raw(self, method="POST", body=b"", headers=None, conn=None, path="/"):
        """One request; returns (status, headers dict with lower-case names, body bytes)."""
        own = conn is None
        conn = conn or self.connect()
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
        if own:
            conn.close()
        return resp.status, hdrs, data

    def call(self, op, payload, conn=None, auth=FAKE_AUTH):
        """A DynamoDB operation by its wire name; returns (status, decoded body)."""
        headers = {"Content-Type": "application/x-amz-json-1.0",
                   "X-Amz-Target": "DynamoDB_20120810." + op}
        if auth:
            headers["Authorization"] = auth
        status, _, data = self.raw(body=json.dumps(payload).encode(), headers=headers, conn=conn)
        return status, json.loads(data)


def error_name(body):
    """The exception name of an error body."""
    return body.get("__type", "").rpartition("#")[2]


def supported_operations(server):
    """Operations the library serves: those not answered UnknownOperationException."""
    ops = []
    for op in ALL_OPERATIONS:
        status, body = server.call(op, {})
        if not (status == 400 and error_name(body) == "UnknownOperationException"):
            ops.append(op)
    return ops


def wait_until(predicate, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def debian_program(package, name):
    """The program `name` installed by Debian package `package`, else the one on PATH."""
    try:
        files = subprocess.run(["dpkg-query", "-L", package], capture_output=True, text=True,
                               check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        files = []
    for path in files:
        if path.endswith("/bin/" + name) and os.access(path, os.X_OK):
            return path
    return shutil.which(name)


def reexec_with_debian_python(module):
    """Run this script under Debian's python3 when it has `module` and we are not it.

    The tests are about the clients Debian ships; another python3 found
    first on PATH may carry other versions of them, or none.
    """
    py = debian_program("python3-minimal", "python3")
    if py and os.path.realpath(py) != os.path.realpath(sys.executable):
        has = subprocess.run([py, "-c", "import " + module], capture_output=True).returncode == 0
        if has:
            os.execv(py, [py] + sys.argv)


def skip_all(message):
    """Exit as a skipped test (Meson counts status 77 as SKIP), saying why."""
    print("SKIP: " + message)
    sys.exit(77)


BIG_ITEM_BYTES = 300 * 1024


def throttling_enforced(server, table="ThrottleProbe"):
    """Whether a table with 1 WCU throttles: create it and write 300 KB items.

    Each such write costs 300 WCU, more than one second of capacity and
    any burst allowance, so a library that enforces provisioned capacity
    must refuse one of the first few.  The table is left for the caller.
    """
    status, body = server.call("CreateTable", {
        "TableName": table,
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}})
    if status != 200:
        raise RuntimeError("CreateTable with 1 WCU failed: %r" % body)
    item = {"id": {"S": "big"}, "blob": {"S": "x" * BIG_ITEM_BYTES}}
    for _ in range(20):
        status, body = server.call("PutItem", {"TableName": table, "Item": item})
        if status == 400 and error_name(body) == "ProvisionedThroughputExceededException":
            return True
        if status != 200:
            raise RuntimeError("unexpected answer while probing throttling: %r" % body)
    return False
