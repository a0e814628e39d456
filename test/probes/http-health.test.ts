import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runProbe } from './helpers.ts';
import { http, httpServer, type Running } from './http-servers.ts';

let failing = false;
let app: Running;

const ietf = () => ({
  status: failing ? 'fail' : 'pass',
  checks: {
    'postgres:connections': [
      { componentId: 'pg-1', componentType: 'datastore', observedValue: 12, status: 'pass' },
    ],
    'redis:responseTime': [
      failing
        ? { status: 'fail', output: 'connect ETIMEDOUT 10.0.0.7:6379' }
        : { status: 'pass', observedValue: 2, observedUnit: 'ms' },
    ],
  },
});

const spring = () => ({
  status: failing ? 'DOWN' : 'UP',
  components: {
    db: { status: 'UP', details: { database: 'PostgreSQL', validationQuery: 'isValid()' } },
    mail: failing
      ? {
          status: 'DOWN',
          details: { error: 'jakarta.mail.MessagingException: Connection refused' },
        }
      : { status: 'UP', details: { location: 'smtp:25' } },
  },
});

before(async () => {
  app = await httpServer((req, res) => {
    const status = failing ? 503 : 200;
    if (req.url === '/health') {
      res.writeHead(status, { 'content-type': 'application/health+json' });
      res.end(JSON.stringify(ietf()));
    } else if (req.url === '/actuator/health') {
      res.writeHead(status, { 'content-type': 'application/vnd.spring-boot.actuator.v3+json' });
      res.end(JSON.stringify(spring()));
    } else if (req.url === '/plain-json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"users":[]}');
    }
  });
});

after(() => app.close());

test('health document: IETF health+json dependencies, passing and then failing with 503', async () => {
  const probe = http({ url: app.url('/health') });
  const up = await runProbe(probe);
  assert.equal(up.ok, true);
  assert.deepEqual(up.dependencies, [
    {
      name: 'postgres:connections',
      component: 'postgres',
      health: 'pass',
      reported: 'pass',
      detail: '12',
    },
    {
      name: 'redis:responseTime',
      component: 'redis',
      health: 'pass',
      reported: 'pass',
      detail: '2 ms',
    },
  ]);
  failing = true;
  try {
    const down = await runProbe(probe);
    assert.equal(down.ok, false);
    assert.equal(down.error, 'status 503, expected 200-399');
    assert.deepEqual(down.dependencies, [
      {
        name: 'postgres:connections',
        component: 'postgres',
        health: 'pass',
        reported: 'pass',
        detail: '12',
      },
      {
        name: 'redis:responseTime',
        component: 'redis',
        health: 'fail',
        reported: 'fail',
        detail: 'connect ETIMEDOUT 10.0.0.7:6379',
      },
    ]);
  } finally {
    failing = false;
  }
});

test('health document: Spring Boot Actuator components, passing and then DOWN with 503', async () => {
  const probe = http({ url: app.url('/actuator/health') });
  const up = await runProbe(probe);
  assert.equal(up.ok, true);
  assert.deepEqual(up.dependencies, [
    {
      name: 'db',
      component: 'db',
      health: 'pass',
      reported: 'UP',
      detail: '{"database":"PostgreSQL","validationQuery":"isValid()"}',
    },
    {
      name: 'mail',
      component: 'mail',
      health: 'pass',
      reported: 'UP',
      detail: '{"location":"smtp:25"}',
    },
  ]);
  failing = true;
  try {
    const down = await runProbe(probe);
    assert.deepEqual([down.ok, down.status], [false, 503]);
    assert.deepEqual(down.dependencies?.[1], {
      name: 'mail',
      component: 'mail',
      health: 'fail',
      reported: 'DOWN',
      detail: 'jakarta.mail.MessagingException: Connection refused',
    });
  } finally {
    failing = false;
  }
});

test('health document: off, or JSON that is not a health document, gives no dependencies', async () => {
  const off = await runProbe(http({ url: app.url('/health'), healthDocument: 'off' }));
  assert.equal(off.dependencies, undefined);
  const plain = await runProbe(http({ url: app.url('/plain-json') }));
  assert.deepEqual([plain.ok, plain.dependencies], [true, undefined]);
});
