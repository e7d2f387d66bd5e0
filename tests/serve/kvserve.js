// kvserve.js -- start and stop `kv serve` for the Node.js-driven tests
// (the same protocol as kvserve.py: --port 0, the port read from the
// first line printed, SIGTERM to stop, exit status 0 expected).
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const FAKE_AUTH = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/' +
  'aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=' + '0'.repeat(64);

let scratchRoot = null;

// A fresh directory, removed with everything in it when the test exits.
function scratchDir(prefix) {
  if (!scratchRoot) {
    scratchRoot = fs.mkdtempSync(path.join(process.env.KV_SERVE_TMP || os.tmpdir(), 'run-'));
    process.on('exit', () => fs.rmSync(scratchRoot, { recursive: true, force: true }));
  }
  return fs.mkdtempSync(path.join(scratchRoot, prefix));
}

async function start(kv, args = [], db = null) {
  db = db || path.join(scratchDir('serve-'), 'db');
  const proc = spawn(kv, ['serve', '--db', db, '--port', '0', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  const lines = readline.createInterface({ input: proc.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    exited.then(() => reject(new Error('kv serve did not start: ' + stderr)));
  });
  const m = /listening on http:\/\/\S+:(\d+) /.exec(first);
  if (!m) throw new Error('unexpected first line: ' + first);
  const port = Number(m[1]);
  return {
    db,
    port,
    url: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    async stop() {
      proc.kill('SIGTERM');
      return exited;
    },
    // One raw request; resolves to {status, body} with the body parsed.
    async call(op, payload, auth = FAKE_AUTH) {
      const headers = {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'DynamoDB_20120810.' + op,
      };
      if (auth) headers.Authorization = auth;
      const res = await fetch(`http://127.0.0.1:${port}/`,
        { method: 'POST', headers, body: JSON.stringify(payload) });
      return { status: res.status, body: await res.json() };
    },
  };
}

function errorName(body) {
  return (body.__type || '').split('#').pop();
}

const ALL_OPERATIONS = `BatchExecuteStatement BatchGetItem BatchWriteItem CreateBackup
CreateGlobalTable CreateTable DeleteBackup DeleteItem DeleteResourcePolicy DeleteTable
DescribeBackup DescribeContinuousBackups DescribeContributorInsights DescribeEndpoints
DescribeExport DescribeGlobalTable DescribeGlobalTableSettings DescribeImport
DescribeKinesisStreamingDestination DescribeLimits DescribeTable
DescribeTableReplicaAutoScaling DescribeTimeToLive DisableKinesisStreamingDestination
EnableKinesisStreamingDestination ExecuteStatement ExecuteTransaction ExportTableToPointInTime
GetItem GetResourcePolicy ImportTable ListBackups ListContributorInsights ListExports
ListGlobalTables ListImports ListTables ListTagsOfResource PutItem PutResourcePolicy Query
RestoreTableFromBackup RestoreTableToPointInTime Scan TagResource TransactGetItems
TransactWriteItems UntagResource UpdateContinuousBackups UpdateContributorInsights
UpdateGlobalTable UpdateGlobalTableSettings UpdateItem UpdateKinesisStreamingDestination
UpdateTable UpdateTableReplicaAutoScaling UpdateTimeToLive`.split(/\s+/);

// Operations the library serves: those not answered UnknownOperationException.
async function supportedOperations(server) {
  const ops = new Set();
  for (const op of ALL_OPERATIONS) {
    const { status, body } = await server.call(op, {});
    if (!(status === 400 && errorName(body) === 'UnknownOperationException')) ops.add(op);
  }
  return ops;
}

const BIG_ITEM_BYTES = 300 * 1024;

// As kvserve.py's throttling_enforced: a 1 WCU table and 300 KB writes.
async function throttlingEnforced(server, table) {
  const created = await server.call('CreateTable', {
    TableName: table,
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PROVISIONED',
    ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
  });
  if (created.status !== 200) throw new Error('CreateTable failed: ' + JSON.stringify(created));
  const Item = { id: { S: 'big' }, blob: { S: 'x'.repeat(BIG_ITEM_BYTES) } };
  for (let i = 0; i < 20; i++) {
    const { status, body } = await server.call('PutItem', { TableName: table, Item });
    if (status === 400 && errorName(body) === 'ProvisionedThroughputExceededException') {
      return true;
    }
    if (status !== 200) throw new Error('unexpected answer: ' + JSON.stringify(body));
  }
  return false;
}

module.exports = {
  start, scratchDir, errorName, supportedOperations, throttlingEnforced, BIG_ITEM_BYTES,
};
