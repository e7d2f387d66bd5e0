// js_test.js -- kv serve driven by the AWS SDK for JavaScript v3:
// @aws-sdk/client-dynamodb (DynamoDB JSON) and @aws-sdk/lib-dynamodb (the
// document client, with plain JavaScript values).
//
// Every operation the library serves, ReturnConsumedCapacity, the
// operations still arriving in the library once served, the SDK's retries
// giving up with ProvisionedThroughputExceededException once provisioned
// capacity is enforced, and signatures against --credentials, including a
// request altered after the SDK signed it.
//
//     node js_test.js KV
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, it, before, after } = require('node:test');

const ddb = require('@aws-sdk/client-dynamodb');
const lib = require('@aws-sdk/lib-dynamodb');
const kvserve = require('./kvserve.js');

const KV = process.argv[2] || process.env.KV;
const CREDENTIALS = { accessKeyId: 'AKIDJS', secretAccessKey: 'js-secret' };
const COVERED = new Set(['CreateTable', 'DescribeTable', 'ListTables', 'DeleteTable', 'PutItem',
  'GetItem', 'DeleteItem', 'UpdateItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem',
  'TransactGetItems', 'TransactWriteItems', 'UpdateTable']);

function client(server, extra = {}) {
  return new ddb.DynamoDBClient({
    endpoint: server.url, region: 'us-east-1', credentials: CREDENTIALS, ...extra,
  });
}

function musicTable(name, extra = { BillingMode: 'PAY_PER_REQUEST' }) {
  return new ddb.CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'Artist', AttributeType: 'S' },
      { AttributeName: 'SongTitle', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'Artist', KeyType: 'HASH' },
      { AttributeName: 'SongTitle', KeyType: 'RANGE' }],
    ...extra,
  });
}

const key = (artist, title) => ({ Artist: { S: artist }, SongTitle: { S: title } });

describe('AWS SDK for JavaScript v3', () => {
  let server;
  let c;
  let doc;
  let supported;

  before(async () => {
    server = await kvserve.start(KV, ['--no-sync']);
    c = client(server);
    doc = lib.DynamoDBDocumentClient.from(c);
    supported = await kvserve.supportedOperations(server);
    const extra = [...supported].filter((op) => !COVERED.has(op)).sort();
    if (extra.length) console.log('NOTE: served but not exercised: ' + extra.join(', '));
  });

  after(async () => {
    c.destroy();
    assert.equal(await server.stop(), 0);
  });

  const need = (t, ...ops) => {
    const missing = ops.filter((op) => !supported.has(op));
    if (missing.length) t.skip(`the library does not serve ${missing.join(', ')} yet`);
    return missing.length === 0;
  };

  it('js01 tables, waiters and pagination', async () => {
    const out = await c.send(musicTable('Tables1'));
    assert.equal(out.TableDescription.TableName, 'Tables1');
    await ddb.waitUntilTableExists({ client: c, maxWaitTime: 60, minDelay: 1 }, { TableName: 'Tables1' });
    const { Table } = await c.send(new ddb.DescribeTableCommand({ TableName: 'Tables1' }));
    assert.equal(Table.TableStatus, 'ACTIVE');
    for (const n of ['Page1', 'Page2', 'Page3']) await c.send(musicTable(n));
    const names = [];
    for await (const page of ddb.paginateListTables({ client: c, pageSize: 2 }, {})) {
      names.push(...page.TableNames);
    }
    assert.deepEqual(names, ['Page1', 'Page2', 'Page3', 'Tables1']);
    await c.send(new ddb.DeleteTableCommand({ TableName: 'Tables1' }));
    await ddb.waitUntilTableNotExists({ client: c, maxWaitTime: 60, minDelay: 1 }, { TableName: 'Tables1' });
    await assert.rejects(c.send(new ddb.DescribeTableCommand({ TableName: 'Tables1' })),
      (err) => {
        assert.ok(err instanceof ddb.ResourceNotFoundException);
        assert.equal(err.$metadata.httpStatusCode, 400);
        assert.match(err.$metadata.requestId, /^[A-Z0-9]{52}$/);
        return true;
      });
  });

  it('js02 items of every type', async () => {
    await c.send(musicTable('Items2'));
    const Item = {
      ...key('Acme', 'Happy Day'),
      Year: { N: '2015' }, Cover: { B: new Uint8Array([0, 255, 1]) }, Live: { BOOL: true },
      Label: { NULL: true }, Tags: { SS: ['rock', 'pop'] }, Charts: { NS: ['1', '2.5'] },
      Blobs: { BS: [new Uint8Array([1]), new Uint8Array([2])] },
      Info: { M: { Takes: { L: [{ N: '1' }, { S: 'x' }] } } },
    };
    const put = await c.send(new ddb.PutItemCommand({
      TableName: 'Items2', Item, ReturnConsumedCapacity: 'TOTAL',
    }));
    assert.deepEqual(put.ConsumedCapacity, { TableName: 'Items2', CapacityUnits: 1 });
    const got = await c.send(new ddb.GetItemCommand({
      TableName: 'Items2', Key: key('Acme', 'Happy Day'), ConsistentRead: true,
    }));
    assert.deepEqual(got.Item.Cover.B, new Uint8Array([0, 255, 1]));
    assert.deepEqual(got.Item.Info, Item.Info);
    assert.deepEqual(new Set(got.Item.Tags.SS), new Set(['rock', 'pop']));
    const del = await c.send(new ddb.DeleteItemCommand({
      TableName: 'Items2', Key: key('Acme', 'Happy Day'), ReturnValues: 'ALL_OLD',
    }));
    assert.equal(del.Attributes.Year.N, '2015');
    const gone = await c.send(new ddb.GetItemCommand({
      TableName: 'Items2', Key: key('Acme', 'Happy Day'),
    }));
    assert.equal(gone.Item, undefined);
  });

  it('js03 document client', async () => {
    await c.send(musicTable('Doc3'));
    const Item = {
      Artist: 'A', SongTitle: 'S', Plays: 12, Rating: 4.5, Tags: new Set(['x', 'y']),
      Raw: new Uint8Array([7]), Nested: { list: [1, 'two', null, true] },
    };
    await doc.send(new lib.PutCommand({ TableName: 'Doc3', Item }));
    const got = await doc.send(new lib.GetCommand({
      TableName: 'Doc3', Key: { Artist: 'A', SongTitle: 'S' }, ReturnConsumedCapacity: 'TOTAL',
    }));
    assert.deepEqual(got.Item, Item);
    assert.deepEqual(got.ConsumedCapacity, { TableName: 'Doc3', CapacityUnits: 0.5 });
    const del = await doc.send(new lib.DeleteCommand({
      TableName: 'Doc3', Key: { Artist: 'A', SongTitle: 'S' }, ReturnValues: 'ALL_OLD',
    }));
    assert.equal(del.Attributes.Plays, 12);
  });

  it('js04 validation errors', async () => {
    await c.send(musicTable('Val4'));
    await assert.rejects(doc.send(new lib.PutCommand({ TableName: 'Val4', Item: { Artist: 'x' } })),
      (err) => err.name === 'ValidationException' && /SongTitle/.test(err.message));
  });

  it('js10 update item', async (t) => {
    if (!need(t, 'UpdateItem')) return;
    await c.send(musicTable('Upd10'));
    const out = await doc.send(new lib.UpdateCommand({
      TableName: 'Upd10', Key: { Artist: 'a', SongTitle: 'b' },
      UpdateExpression: 'SET Plays = :n', ExpressionAttributeValues: { ':n': 3 },
      ReturnValues: 'ALL_NEW',
    }));
    assert.equal(out.Attributes.Plays, 3);
  });

  it('js11 query and scan with paginators', async (t) => {
    if (!need(t, 'Query', 'Scan')) return;
    await c.send(musicTable('QS11'));
    for (let i = 0; i < 7; i++) {
      await doc.send(new lib.PutCommand({ TableName: 'QS11', Item: { Artist: 'B', SongTitle: `s${i}` } }));
    }
    const titles = [];
    for await (const page of lib.paginateQuery({ client: doc, pageSize: 3 }, {
      TableName: 'QS11', KeyConditionExpression: 'Artist = :a',
      ExpressionAttributeValues: { ':a': 'B' }, ScanIndexForward: false,
    })) titles.push(...page.Items.map((i) => i.SongTitle));
    assert.deepEqual(titles, ['s6', 's5', 's4', 's3', 's2', 's1', 's0']);
    let count = 0;
    for await (const page of lib.paginateScan({ client: doc, pageSize: 2 }, { TableName: 'QS11' })) {
      count += page.Count;
    }
    assert.equal(count, 7);
  });

  it('js12 batches and transactions', async (t) => {
    if (!need(t, 'BatchWriteItem', 'BatchGetItem', 'TransactWriteItems', 'TransactGetItems')) {
      return;
    }
    await c.send(musicTable('BT12'));
    const items = [0, 1, 2].map((i) => ({ Artist: 'B', SongTitle: `s${i}` }));
    await doc.send(new lib.BatchWriteCommand({
      RequestItems: { BT12: items.map((Item) => ({ PutRequest: { Item } })) },
    }));
    const got = await doc.send(new lib.BatchGetCommand({ RequestItems: { BT12: { Keys: items } } }));
    assert.equal(got.Responses.BT12.length, 3);
    await doc.send(new lib.TransactWriteCommand({
      TransactItems: [{ Delete: { TableName: 'BT12', Key: items[0] } }],
    }));
    const tx = await doc.send(new lib.TransactGetCommand({
      TransactItems: items.slice(0, 2).map((Key) => ({ Get: { TableName: 'BT12', Key } })),
    }));
    assert.equal(tx.Responses[0].Item, undefined);
    assert.deepEqual(tx.Responses[1].Item, items[1]);
  });

  it('js13 update table', async (t) => {
    if (!need(t, 'UpdateTable')) return;
    await c.send(musicTable('UpdT13'));
    await c.send(new ddb.UpdateTableCommand({
      TableName: 'UpdT13', BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    }));
    await ddb.waitUntilTableExists({ client: c, maxWaitTime: 60, minDelay: 1 }, { TableName: 'UpdT13' });
    const { Table } = await c.send(new ddb.DescribeTableCommand({ TableName: 'UpdT13' }));
    assert.equal(Table.ProvisionedThroughput.WriteCapacityUnits, 5);
  });
});

describe('throttling', () => {
  it('js20 the SDK retries, then surfaces ProvisionedThroughputExceededException', async (t) => {
    const server = await kvserve.start(KV, ['--no-sync']);
    try {
      if (!await kvserve.throttlingEnforced(server, 'Slow')) {
        t.skip('the library does not enforce provisioned capacity yet');
        return;
      }
      const c = client(server, { maxAttempts: 3 });
      const Item = { id: { S: 'big' }, blob: { S: 'x'.repeat(kvserve.BIG_ITEM_BYTES) } };
      await assert.rejects(c.send(new ddb.PutItemCommand({ TableName: 'Slow', Item })),
        (err) => {
          assert.ok(err instanceof ddb.ProvisionedThroughputExceededException);
          assert.equal(err.$metadata.attempts, 3);
          assert.ok(err.$metadata.totalRetryDelay > 0);
          return true;
        });
      c.destroy();
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});

describe('signatures', () => {
  let server;
  before(async () => {
    const file = path.join(kvserve.scratchDir('creds-'), 'credentials');
    fs.writeFileSync(file, `${CREDENTIALS.accessKeyId} ${CREDENTIALS.secretAccessKey}\n`,
      { mode: 0o600 });
    server = await kvserve.start(KV, ['--no-sync', '--credentials', file]);
  });
  after(async () => assert.equal(await server.stop(), 0));

  it('js30 requests signed by the SDK pass', async () => {
    const c = client(server);
    await c.send(musicTable('Signed'));
    const out = await c.send(new ddb.ListTablesCommand({}));
    assert.deepEqual(out.TableNames, ['Signed']);
    c.destroy();
  });

  it('js31 a wrong secret fails with InvalidSignatureException', async () => {
    const c = new ddb.DynamoDBClient({
      endpoint: server.url, region: 'us-west-2', maxAttempts: 1,
      credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: 'nope' },
    });
    await assert.rejects(c.send(new ddb.ListTablesCommand({})),
      (err) => err.name === 'InvalidSignatureException' &&
        err.message.startsWith('The request signature we calculated does not match'));
    c.destroy();
  });

  it('js32 a body altered after signing fails and changes nothing', async () => {
    const c = client(server, { maxAttempts: 1 });
    await c.send(musicTable('Tamper'));
    c.middlewareStack.addRelativeTo((next) => async (args) => {
      const body = args.request.body;
      const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
      args.request.body = text.replace('"keep"', '"evil"');
      return next(args);
    }, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamper' });
    await assert.rejects(c.send(new ddb.PutItemCommand({
      TableName: 'Tamper', Item: key('keep', 'song'),
    })), (err) => err.name === 'InvalidSignatureException');
    c.destroy();
    const clean = client(server);
    const got = await clean.send(new ddb.GetItemCommand({
      TableName: 'Tamper', Key: key('evil', 'song'),
    }));
    assert.equal(got.Item, undefined);
    clean.destroy();
  });

  it('js33 an unknown access key fails with UnrecognizedClientException', async () => {
    const c = new ddb.DynamoDBClient({
      endpoint: server.url, region: 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' },
    });
    await assert.rejects(c.send(new ddb.ListTablesCommand({})),
      (err) => err.name === 'UnrecognizedClientException' &&
        err.message === 'The security token included in the request is invalid.');
    c.destroy();
  });
});
