"""http_test.py -- kv serve at the HTTP level, with the standard library only.

What DynamoDB's clients rely on besides the operations themselves: the
response headers (request id, CRC32 of the body, content type), error
bodies and statuses, what happens to requests that name no operation, the
16 MB limit, keep-alive, many clients at once, timeouts, the access log,
and a graceful stop that finishes the requests in flight and loses no
acknowledged write.

    python3 http_test.py KV
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kvserve  # noqa: E402
from kvserve import FAKE_AUTH, Server, error_name  # noqa: E402

TARGET = "DynamoDB_20120810."
JSON10 = "application/x-amz-json-1.0"
NOT_FOUND = b"<UnknownOperationException/>\n"

MUSIC = {
    "TableName": "Music",
    "AttributeDefinitions": [{"AttributeName": "Artist", "AttributeType": "S"},
                             {"AttributeName": "SongTitle", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"},
                  {"AttributeName": "SongTitle", "KeyType": "RANGE"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def headers_for(op, ctype=JSON10, auth=FAKE_AUTH):
    h = {"X-Amz-Target": TARGET + op}
    if ctype:
        h["Content-Type"] = ctype
    if auth:
        h["Authorization"] = auth
    return h


def song(artist, title, **extra):
    item = {"Artist": {"S": artist}, "SongTitle": {"S": title}}
    item.update(extra)
    return item


def read_response(sock):
    """Read one HTTP response with a Content-Length from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.search(rb"(?i)content-length: *(\d+)", head)
    want = int(m.group(1)) if m else 0
    while len(body) < want:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class Headers(unittest.TestCase):
    """serve01: what every response carries."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--no-sync")

    @classmethod
    def tearDownClass(cls):
        rc, _ = cls.server.stop()
        assert rc == 0

    def check_common(self, hdrs, body):
        self.assertRegex(hdrs["x-amzn-requestid"], r"^[A-Z0-9]{52}$")
        self.assertEqual(int(hdrs["x-amz-crc32"]), zlib.crc32(body))
        self.assertIn("date", hdrs)

    def test_01_success(self):
        status, hdrs, body = self.server.raw(body=b"{}", headers=headers_for("ListTables"))
        self.assertEqual(status, 200)
        self.assertEqual(hdrs["content-type"], JSON10)
        self.assertEqual(json.loads(body), {"TableNames": []})
        self.check_common(hdrs, body)

    def test_02_request_ids_differ(self):
        ids = {self.server.raw(body=b"{}", headers=headers_for("ListTables"))[1]
               ["x-amzn-requestid"] for _ in range(20)}
        self.assertEqual(len(ids), 20)

    def test_03_plain_json(self):
        status, hdrs, body = self.server.raw(
            body=b"{}", headers=headers_for("ListTables", "application/json; charset=utf-8"))
        self.assertEqual(status, 200)
        self.assertEqual(hdrs["content-type"], "application/json")

    def test_04_library_error(self):
        status, hdrs, body = self.server.raw(body=b'{"TableName":"Nope"}',
                                             headers=headers_for("DescribeTable"))
        self.assertEqual(status, 400)
        self.assertEqual(error_name(json.loads(body)), "ResourceNotFoundException")
        self.check_common(hdrs, body)

    def test_05_malformed_json(self):
        status, _, body = self.server.raw(body=b'{"TableName":', headers=headers_for("GetItem"))
        self.assertEqual(status, 400)
        self.assertEqual(error_name(json.loads(body)), "SerializationException")

    def test_06_no_or_foreign_target(self):
        for target in (None, "DynamoDB_20111205.ListTables", "DynamoDB_20120810.",
                       "Kinesis_20131202.ListStreams"):
            h = headers_for("ListTables")
            del h["X-Amz-Target"]
            if target:
                h["X-Amz-Target"] = target
            status, hdrs, body = self.server.raw(body=b"{}", headers=h)
            self.assertEqual(status, 400, target)
            self.assertEqual(json.loads(body),
                             {"__type": "com.amazon.coral.service#UnknownOperationException"})
            self.check_common(hdrs, body)

    def test_07_unknown_operation(self):
        status, _, body = self.server.raw(body=b"{}", headers=headers_for("FlyToTheMoon"))
        self.assertEqual(status, 400)
        self.assertEqual(error_name(json.loads(body)), "UnknownOperationException")

    def test_08_wrong_content_type(self):
        for ctype in ("application/x-amz-json-1.1", "text/plain", None):
            status, hdrs, body = self.server.raw(body=b"{}", headers=headers_for("ListTables",
                                                                                 ctype))
            self.assertEqual((status, body), (404, NOT_FOUND), ctype)
            self.assertEqual(hdrs["x-amz-crc32"], "3552371480")
        # Without a body the content type is not looked at.
        status, _, _ = self.server.raw(body=b"", headers=headers_for("ListTables", None))
        self.assertEqual(status, 400)  # SerializationException: the body is empty

    def test_09_other_methods(self):
        status, hdrs, body = self.server.raw("GET")
        self.assertEqual(status, 200)
        self.assertTrue(body.startswith(b"healthy: "))
        self.check_common(hdrs, body)
        status, hdrs, body = self.server.raw("HEAD")
        self.assertEqual((status, body), (200, b""))
        for method, path in (("GET", "/shell/"), ("PUT", "/"), ("DELETE", "/")):
            status, _, body = self.server.raw(method, path=path, body=b"")
            self.assertEqual((status, body), (404, NOT_FOUND), method + path)

    def test_10_missing_authentication(self):
        for auth in (None, "Basic dXNlcjpwYXNz"):
            h = headers_for("ListTables", auth=auth)
            status, hdrs, body = self.server.raw(body=b"{}", headers=h)
            self.assertEqual(status, 400)
            self.assertEqual(json.loads(body), {
                "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
                "message": "Request is missing Authentication Token"})

    def test_11_cors(self):
        status, hdrs, body = self.server.raw("OPTIONS", headers={
            "Origin": "http://localhost:8001",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-amz-target,authorization"})
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(hdrs["access-control-allow-origin"], "*")
        self.assertEqual(hdrs["access-control-allow-methods"], "POST")
        self.assertEqual(hdrs["access-control-allow-headers"],
                         "content-type,x-amz-target,authorization")
        self.assertEqual(hdrs["access-control-max-age"], "172800")
        h = headers_for("ListTables")
        h["Origin"] = "http://localhost:8001"
        status, hdrs, _ = self.server.raw(body=b"{}", headers=h)
        self.assertEqual(status, 200)
        self.assertEqual(hdrs["access-control-allow-origin"], "*")
        self.assertIn("x-amzn-RequestId", hdrs["access-control-expose-headers"])

    def test_12_keep_alive(self):
        conn = self.server.connect()
        for _ in range(100):
            status, body = self.server.call("ListTables", {}, conn=conn)
            self.assertEqual(status, 200)
        conn.close()


class Limits(unittest.TestCase):
    """serve02: the 16 MB limit and the timeouts."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--no-sync", "--timeout", "2")

    @classmethod
    def tearDownClass(cls):
        rc, _ = cls.server.stop()
        assert rc == 0

    def request_head(self, extra):
        return ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + JSON10 +
                "\r\nX-Amz-Target: " + TARGET + "PutItem\r\nAuthorization: " + FAKE_AUTH +
                "\r\n" + extra + "\r\n").encode()

    def test_01_declared_too_large(self):
        with socket.create_connection(("127.0.0.1", self.server.port)) as s:
            s.sendall(self.request_head("Content-Length: %d\r\n" % (16 * 1024 * 1024 + 1)))
            resp = read_response(s)
        self.assertTrue(resp.startswith(b"HTTP/1.1 413 "), resp[:80])

    def test_02_chunked_too_large(self):
        piece = b"x" * (1024 * 1024)
        with socket.create_connection(("127.0.0.1", self.server.port)) as s:
            s.sendall(self.request_head("Transfer-Encoding: chunked\r\n"))
            for _ in range(17):
                s.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
            s.sendall(b"0\r\n\r\n")
            resp = read_response(s)
        self.assertTrue(resp.startswith(b"HTTP/1.1 413 "), resp[:80])

    def test_03_largest_body_accepted(self):
        # Exactly 16 MB reaches the library, which judges its content.
        body = b'{"TableName":"' + b"a" * (16 * 1024 * 1024 - 16) + b'"}'
        self.assertEqual(len(body), 16 * 1024 * 1024)
        status, _, data = self.server.raw(body=body, headers=headers_for("DescribeTable"))
        self.assertEqual(status, 400)
        self.assertEqual(error_name(json.loads(data)), "ValidationException")

    def test_04_idle_connection_closed(self):
        with socket.create_connection(("127.0.0.1", self.server.port)) as s:
            s.settimeout(10)
            start = time.monotonic()
            self.assertEqual(s.recv(1), b"")
            self.assertLess(time.monotonic() - start, 8)

    def test_05_trickled_body_closed(self):
        with socket.create_connection(("127.0.0.1", self.server.port)) as s:
            s.settimeout(15)
            s.sendall(self.request_head("Content-Length: 100\r\n"))
            start, closed = time.monotonic(), False
            while time.monotonic() - start < 10:
                try:
                    s.sendall(b" ")
                except OSError:
                    closed = True
                    break
                time.sleep(0.5)
            if not closed:
                s.settimeout(1)
                try:
                    closed = s.recv(1) == b""
                except (socket.timeout, OSError):
                    closed = False
            self.assertTrue(closed)

    def test_06_large_request_headers(self):
        # Headers as large as an SDK's with a session token, twice over,
        # pass, again and again on one connection.  (Past what the server
        # holds it answers 431 and closes with the rest of the request
        # unread, and the client may see the reset before the response, so
        # that is not tested.)
        conn = self.server.connect()
        for _ in range(3):
            hdrs = dict(headers_for("ListTables"), **{"X-Amz-Security-Token": "T" * 4096})
            status, _, body = self.server.raw(body=b"{}", headers=hdrs, conn=conn)
            self.assertEqual((status, json.loads(body)), (200, {"TableNames": []}))
        conn.close()

    def test_07_bodies_of_any_size_on_one_connection(self):
        # Each request on a kept-alive connection gets its own body, whether
        # larger or smaller than the one before, and its own headers.
        conn = self.server.connect()
        for size in (100, 200000, 10, 50000, 0):
            body = b'{"TableName":"' + b"a" * size + b'"}'
            status, hdrs, data = self.server.raw(body=body, headers=headers_for("DescribeTable"),
                                                 conn=conn)
            self.assertEqual(status, 400)
            self.assertEqual(error_name(json.loads(data)),
                             "ResourceNotFoundException" if 3 <= size <= 255
                             else "ValidationException")
            self.assertEqual(int(hdrs["x-amz-crc32"]), zlib.crc32(data))
            status, hdrs, data = self.server.raw(body=b"{}", headers=headers_for("ListTables"),
                                                 conn=conn)
            self.assertEqual((status, json.loads(data)), (200, {"TableNames": []}))
            self.assertEqual(hdrs["content-type"], JSON10)
        conn.close()


class Concurrency(unittest.TestCase):
    """serve03: many clients at once."""

    def test_01_parallel_writers_and_readers(self):
        # Unlimited, so that throttling cannot refuse a write: this is
        # about the server's threads, not about capacity.
        with Server("--no-sync", "--threads", "4", "--unlimited-capacity") as server:
            self.assertEqual(server.call("CreateTable", MUSIC)[0], 200)
            errors = []

            def client(n):
                conn = server.connect()
                try:
                    for i in range(40):
                        item = song("artist%d" % n, "song%d" % i, Plays={"N": str(i)})
                        status, body = server.call("PutItem", {"TableName": "Music",
                                                               "Item": item}, conn=conn)
                        if status != 200:
                            errors.append(body)
                        status, body = server.call("GetItem", {
                            "TableName": "Music", "ConsistentRead": True,
                            "Key": song("artist%d" % n, "song%d" % i)}, conn=conn)
                        if status != 200 or body.get("Item") != item:
                            errors.append(body)
                finally:
                    conn.close()

            threads = [threading.Thread(target=client, args=(n,)) for n in range(48)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(errors, [])
            status, body = server.call("DescribeTable", {"TableName": "Music"})
            self.assertEqual(body["Table"]["ItemCount"], 48 * 40)
            self.assertEqual(server.stop()[0], 0)


class Shutdown(unittest.TestCase):
    """serve04: SIGTERM and SIGINT finish what is in flight and lose nothing."""

    def test_01_request_in_flight_finishes(self):
        server = Server()
        self.assertEqual(server.call("CreateTable", MUSIC)[0], 200)
        body = json.dumps({"TableName": "Music", "Item": song("Late", "Arrival")}).encode()
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nX-Amz-Target: %sPutItem"
                   "\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n"
                   % (JSON10, TARGET, FAKE_AUTH, len(body))).encode() + body[:10])
        time.sleep(0.3)
        server.proc.send_signal(signal.SIGTERM)
        # The listening socket closes at once...
        self.assertTrue(kvserve.wait_until(lambda: not self.can_connect(server.port)))
        self.assertIsNone(server.proc.poll())
        # ...while the request already begun is served in full.
        s.sendall(body[10:])
        resp = read_response(s).decode()
        s.close()
        self.assertTrue(resp.startswith("HTTP/1.1 200 "), resp)
        self.assertRegex(resp, r"(?i)\r\nconnection: close\r\n")
        rc, _ = server.stop()
        self.assertEqual(rc, 0)
        with Server(db=server.db) as again:
            status, got = again.call("GetItem", {"TableName": "Music",
                                                 "Key": song("Late", "Arrival")})
            self.assertEqual(got, {"Item": song("Late", "Arrival")})
            again.stop(signal.SIGINT)

    @staticmethod
    def can_connect(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    def test_02_no_acknowledged_write_lost(self):
        server = Server()
        self.assertEqual(server.call("CreateTable", MUSIC)[0], 200)
        acked, stop = [], threading.Event()

        def writer(n):
            i = 0
            while not stop.is_set():
                key = ("w%d" % n, "s%d" % i)
                try:
                    status, _ = server.call("PutItem", {"TableName": "Music",
                                                        "Item": song(*key)})
                except OSError:
                    return
                if status == 200:
                    acked.append(key)
                i += 1

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        rc, _ = server.stop()
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(rc, 0)
        self.assertGreater(len(acked), 0)
        with Server(db=server.db) as again:
            status, body = again.call("DescribeTable", {"TableName": "Music"})
            self.assertGreaterEqual(body["Table"]["ItemCount"], len(acked))
            conn = again.connect()
            for key in acked:
                status, got = again.call("GetItem", {"TableName": "Music", "Key": song(*key)},
                                         conn=conn)
                self.assertEqual(got.get("Item"), song(*key))
            conn.close()


class AccessLog(unittest.TestCase):
    """serve05: one line per request, off by default."""

    def test_01_lines(self):
        log = os.path.join(kvserve.scratch_dir("log-"), "access.log")
        with Server("--no-sync", "--access-log", log) as server:
            server.call("CreateTable", MUSIC)
            server.call("PutItem", {"TableName": "Music", "Item": song("A", "B"),
                                    "ReturnConsumedCapacity": "TOTAL"})
            server.call("GetItem", {"TableName": "Nope", "Key": song("A", "B")})
            server.raw("GET")
            self.assertEqual(server.stop()[0], 0)
        with open(log) as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), 4)
        pattern = (r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z 127\.0\.0\.1 (\S+) (\S+) (\d+) "
                   r"(\S+) (\S+) \d+\.\d{3} [A-Z0-9]{52}$")
        fields = [re.match(pattern, line).groups() for line in lines]
        self.assertEqual(fields[0], ("CreateTable", "Music", "200", "-", "-"))
        self.assertEqual(fields[1], ("PutItem", "Music", "200", "-", "1"))
        self.assertEqual(fields[2], ("GetItem", "Nope", "400", "ResourceNotFoundException", "-"))
        self.assertEqual(fields[3], ("-", "-", "200", "-", "-"))


class Credentials(unittest.TestCase):
    """serve06: with --credentials, unsigned and unknown keys are refused."""

    def test_01_refusals(self):
        path = os.path.join(kvserve.scratch_dir("creds-"), "credentials")
        with open(path, "w") as f:
            f.write("# test keys\nAKIDSERVETEST secretsecret\n")
        os.chmod(path, 0o600)
        with Server("--credentials", path) as server:
            status, body = server.call("ListTables", {}, auth=None)
            self.assertEqual((status, error_name(body)),
                             (400, "MissingAuthenticationTokenException"))
            # A well-formed signature by a key not in the file.
            now = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            auth = FAKE_AUTH.replace("20150830", now[:8])
            h = headers_for("ListTables", auth=auth)
            h["X-Amz-Date"] = now
            status, _, data = server.raw(body=b"{}", headers=h)
            self.assertEqual((status, json.loads(data)), (400, {
                "__type": "com.amazon.coral.service#UnrecognizedClientException",
                "message": "The security token included in the request is invalid."}))
            rc, err = server.stop()
            self.assertEqual(rc, 0)
            self.assertIn("1 access keys", err)


class CommandLine(unittest.TestCase):
    """serve07: usage errors and start-up failures."""

    def run_kv(self, *args):
        return subprocess.run([kvserve.kv_path(), *args], capture_output=True, text=True,
                              timeout=30, env={k: v for k, v in os.environ.items()
                                               if k != "KV_DB"})

    def test_01_usage(self):
        r = self.run_kv("serve")
        self.assertEqual(r.returncode, 252)
        self.assertIn("no database given", r.stderr)
        r = self.run_kv("serve", "--db", "x", "--port", "70000")
        self.assertEqual(r.returncode, 252)
        r = self.run_kv("serve", "--bogus", "1")
        self.assertEqual(r.returncode, 252)
        r = self.run_kv("serve", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--credentials FILE", r.stdout)

    def test_02_bad_credentials_file(self):
        path = os.path.join(kvserve.scratch_dir("creds-"), "credentials")
        with open(path, "w") as f:
            f.write("AKID1 s1 s2\n")
        r = self.run_kv("serve", "--db", os.path.join(os.path.dirname(path), "db"),
                        "--credentials", path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("line 1: expected an access key id and a secret", r.stderr)

    def test_03_port_in_use(self):
        with Server("--no-sync") as server:
            r = self.run_kv("serve", "--db", server.db + "2", "--port", str(server.port))
            self.assertEqual(r.returncode, 1)

    def test_05_database_from_global_option_or_environment(self):
        base = kvserve.scratch_dir("db-")
        for args, env in (([kvserve.kv_path(), "--db", base + "/a", "serve"], {}),
                          ([kvserve.kv_path(), "serve"], {"KV_DB": base + "/b"})):
            proc = subprocess.Popen(args + ["--port", "0", "--no-sync"], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True,
                                    env=dict(os.environ, **env))
            line = proc.stdout.readline()
            self.assertIn("(database %s)" % (base + ("/a" if not env else "/b")), line)
            proc.send_signal(signal.SIGINT)
            self.assertEqual(proc.wait(30), 0)
            proc.stdout.close()

    def test_04_ipv6_loopback(self):
        try:
            socket.create_server(("::1", 0), family=socket.AF_INET6).close()
        except OSError:
            self.skipTest("no IPv6 loopback here")
        with Server("--no-sync", "--bind", "::1") as server:
            conn = __import__("http.client").client.HTTPConnection("::1", server.port)
            conn.request("GET", "/")
            self.assertEqual(conn.getresponse().status, 200)
            conn.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        os.environ.setdefault("KV", sys.argv.pop(1))
    unittest.main(verbosity=2)
