// admin_test.js -- dynamodb-admin (npm) pointed at kv serve, and headless
// Chromium's screenshots of what it shows.
//
// dynamodb-admin lists tables with ListTables and DescribeTable, shows an
// item with GetItem and fills a table's page with Scan.  The test reads
// its pages (table names and item values must appear) and saves PNG
// screenshots of them in the build directory, beside the test's log.
//
//     node admin_test.js KV
'use strict';

const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { describe, it, before, after } = require('node:test');

const ddb = require('@aws-sdk/client-dynamodb');
const kvserve = require('./kvserve.js');

const KV = process.argv[2] || process.env.KV;
const SHOTS = path.join(process.env.KV_SERVE_TMP || '.', 'screenshots');

function chromiumPath() {
  for (const name of ['chromium', 'chromium-browser']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0) return r.stdout.trim();
  }
  return null;
}

// Start dynamodb-admin on a free port; resolves to {url, stop}.
async function startAdmin(endpoint) {
  const script = require.resolve('dynamodb-admin/dist/dynamodb-admin.js');
  const proc = spawn(process.execPath, [script, '--host', '127.0.0.1', '--port', '0',
    '--dynamo-endpoint', endpoint], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const url = await new Promise((resolve, reject) => {
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      output += line + '\n';
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) resolve(m[1]);
    });
    exited.then(() => reject(new Error('dynamodb-admin did not start: ' + output)));
  });
  return { url, stop: () => { proc.kill('SIGTERM'); return exited; } };
}

// One screenshot with a fresh profile and nothing reaching out of the machine.
function screenshot(browser, url, file) {
  const profile = fs.mkdtempSync(path.join(kvserve.scratchDir('chromium-'), 'profile-'));
  const r = spawnSync(browser, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', `--user-data-dir=${profile}`, '--window-size=1280,800',
    '--virtual-time-budget=5000', `--screenshot=${file}`, url],
  { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, r.stderr);
  const png = fs.readFileSync(file);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // A blank page compresses to a few hundred bytes; a rendered one does not.
  assert.ok(png.length > 5000, `${file} is only ${png.length} bytes`);
  console.log(`# screenshot: ${file}`);
}

async function page(url) {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

describe('dynamodb-admin', () => {
  let server;
  let admin;
  let scan;

  before(async () => {
    server = await kvserve.start(KV, ['--no-sync']);
    const c = new ddb.DynamoDBClient({
      endpoint: server.url, region: 'us-east-1',
      credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
    });
    for (const TableName of ['Music', 'Albums']) {
      await c.send(new ddb.CreateTableCommand({
        TableName,
        AttributeDefinitions: [{ AttributeName: 'Artist', AttributeType: 'S' },
          { AttributeName: 'SongTitle', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'Artist', KeyType: 'HASH' },
          { AttributeName: 'SongTitle', KeyType: 'RANGE' }],
        BillingMode: 'PAY_PER_REQUEST',
      }));
    }
    const songs = [['Acme Band', 'Happy Day', '2015'], ['Acme Band', 'Rainy Night', '2017'],
      ['No One You Know', 'Call Me Today', '2019']];
    for (const [a, s, y] of songs) {
      await c.send(new ddb.PutItemCommand({
        TableName: 'Music', Item: { Artist: { S: a }, SongTitle: { S: s }, Year: { N: y } },
      }));
    }
    c.destroy();
    scan = (await kvserve.supportedOperations(server)).has('Scan');
    admin = await startAdmin(server.url);
    fs.mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    if (admin) await admin.stop();
    assert.equal(await server.stop(), 0);
  });

  it('admin01 lists the tables', async () => {
    const { status, text } = await page(admin.url + '/');
    assert.equal(status, 200);
    assert.match(text, /Music/);
    assert.match(text, /Albums/);
  });

  it('admin02 shows an item', async () => {
    const { status, text } = await page(
      `${admin.url}/tables/Music/items/${encodeURIComponent('Acme Band')},` +
      encodeURIComponent('Happy Day'));
    assert.equal(status, 200);
    assert.match(text, /Happy Day/);
    assert.match(text, /2015/);
  });

  it('admin03 shows a table\'s items', async (t) => {
    if (!scan) {
      t.skip('the library does not serve Scan yet');
      return;
    }
    const { status, text } = await page(admin.url + '/tables/Music/items');
    assert.equal(status, 200);
    const data = JSON.parse(text);
    assert.equal(data.Items.length, 3);
  });

  it('admin04 headless Chromium screenshots', async (t) => {
    const browser = chromiumPath();
    if (!browser) {
      t.skip('Chromium is not installed (Debian package chromium)');
      return;
    }
    screenshot(browser, admin.url + '/', path.join(SHOTS, 'tables.png'));
    screenshot(browser, `${admin.url}/tables/Music/items/${encodeURIComponent('Acme Band')},` +
      encodeURIComponent('Happy Day'), path.join(SHOTS, 'item.png'));
    if (scan) screenshot(browser, admin.url + '/tables/Music', path.join(SHOTS, 'table.png'));
  });
});
