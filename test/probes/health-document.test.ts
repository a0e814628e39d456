import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readHealthDocument } from '../../src/signals/health-document.ts';

test('health document: the IETF draft’s own example', () => {
  const document = {
    status: 'pass',
    version: '1',
    releaseId: '1.2.2',
    notes: [''],
    output: '',
    serviceId: 'f03e522f-1f44-4062-9b55-9587f91c9c41',
    description: 'health of authz service',
    checks: {
      'cassandra:responseTime': [
        {
          componentId: 'dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2',
          componentType: 'datastore',
          observedValue: 250,
          observedUnit: 'ms',
          status: 'pass',
          affectedEndpoints: ['/users/{userId}', '/customers/{customerId}/status'],
          time: '2018-01-17T03:36:48Z',
          output: '',
        },
      ],
      'cassandra:connections': [
        {
          componentId: 'dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2',
          componentType: 'datastore',
          observedValue: 75,
          status: 'warn',
          time: '2018-01-17T03:36:48Z',
          output: '',
          links: { self: 'http://api.example.com/dbnode/dfd6cf2b/health' },
        },
      ],
      uptime: [
        { componentType: 'system', observedValue: 1209600.245, observedUnit: 's', status: 'pass' },
      ],
      'cpu:utilization': [
        {
          componentId: '6fd416e0-8920-410f-9c7b-c479000f7227',
          node: 1,
          componentType: 'system',
          observedValue: 85,
          observedUnit: 'percent',
          status: 'warn',
        },
        {
          componentId: '6fd416e0-8920-410f-9c7b-c479000f7227',
          node: 2,
          componentType: 'system',
          observedValue: 85,
          observedUnit: 'percent',
          status: 'warn',
        },
      ],
      'memory:utilization': [
        {
          componentId: '6fd416e0-8920-410f-9c7b-c479000f7227',
          node: 1,
          componentType: 'system',
          observedValue: 8.5,
          observedUnit: 'GiB',
          status: 'warn',
        },
      ],
    },
  };
  assert.deepEqual(readHealthDocument(document, 'application/health+json'), [
    {
      name: 'cassandra:responseTime',
      component: 'cassandra',
      health: 'pass',
      reported: 'pass',
      detail: '250 ms',
    },
    {
      name: 'cassandra:connections',
      component: 'cassandra',
      health: 'warn',
      reported: 'warn',
      detail: '75',
    },
    {
      name: 'uptime',
      component: 'uptime',
      health: 'pass',
      reported: 'pass',
      detail: '1209600.245 s',
    },
    {
      name: 'cpu:utilization (6fd416e0-8920-410f-9c7b-c479000f7227)',
      component: 'cpu',
      health: 'warn',
      reported: 'warn',
      detail: '85 percent',
    },
    {
      name: 'cpu:utilization (6fd416e0-8920-410f-9c7b-c479000f7227)',
      component: 'cpu',
      health: 'warn',
      reported: 'warn',
      detail: '85 percent',
    },
    {
      name: 'memory:utilization',
      component: 'memory',
      health: 'warn',
      reported: 'warn',
      detail: '8.5 GiB',
    },
  ]);
});

test('health document: IETF output wins over the observed value, status spellings map', () => {
  const document = {
    status: 'fail',
    checks: {
      'postgres:connect': [{ status: 'fail', output: 'connection refused', observedValue: 0 }],
      'redis:ping': { status: 'ok' },
      'queue:depth': [{ status: 'down' }],
      'search:latency': [{ status: 'degraded' }],
      'no-status': [{ output: 'ignored' }],
    },
  };
  assert.deepEqual(readHealthDocument(document), [
    {
      name: 'postgres:connect',
      component: 'postgres',
      health: 'fail',
      reported: 'fail',
      detail: 'connection refused',
    },
    { name: 'redis:ping', component: 'redis', health: 'pass', reported: 'ok' },
    { name: 'queue:depth', component: 'queue', health: 'fail', reported: 'down' },
    { name: 'search:latency', component: 'search', health: 'warn', reported: 'degraded' },
  ]);
});

test('health document: Spring Boot Actuator with nested components', () => {
  const document = {
    status: 'DOWN',
    components: {
      db: {
        status: 'DOWN',
        components: {
          primary: {
            status: 'UP',
            details: { database: 'PostgreSQL', validationQuery: 'isValid()' },
          },
          reporting: {
            status: 'DOWN',
            details: {
              error:
                'org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection',
            },
          },
        },
      },
      diskSpace: { status: 'UP', details: { total: 100, free: 50, threshold: 10, exists: true } },
      ping: { status: 'UP' },
      kafka: { status: 'OUT_OF_SERVICE', details: {} },
      legacy: { status: 'UNKNOWN' },
    },
  };
  assert.deepEqual(readHealthDocument(document, 'application/vnd.spring-boot.actuator.v3+json'), [
    {
      name: 'db/primary',
      component: 'db',
      health: 'pass',
      reported: 'UP',
      detail: '{"database":"PostgreSQL","validationQuery":"isValid()"}',
    },
    {
      name: 'db/reporting',
      component: 'db',
      health: 'fail',
      reported: 'DOWN',
      detail:
        'org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection',
    },
    {
      name: 'diskSpace',
      component: 'diskSpace',
      health: 'pass',
      reported: 'UP',
      detail: '{"total":100,"free":50,"threshold":10,"exists":true}',
    },
    { name: 'ping', component: 'ping', health: 'pass', reported: 'UP' },
    { name: 'kafka', component: 'kafka', health: 'fail', reported: 'OUT_OF_SERVICE' },
    { name: 'legacy', component: 'legacy', health: 'warn', reported: 'UNKNOWN' },
  ]);
});

test('health document: Spring Boot 2.0 put components under details', () => {
  const document = { status: 'UP', details: { db: { status: 'UP', details: { database: 'H2' } } } };
  assert.deepEqual(readHealthDocument(document), [
    { name: 'db', component: 'db', health: 'pass', reported: 'UP', detail: '{"database":"H2"}' },
  ]);
});

test('health document: a bare status is a document without dependencies; other JSON is not one', () => {
  assert.deepEqual(readHealthDocument({ status: 'UP' }), []);
  assert.deepEqual(
    readHealthDocument({ status: 'whatever' }, 'application/health+json; charset=utf-8'),
    [],
  );
  assert.equal(readHealthDocument({ status: 'whatever' }, 'application/json'), undefined);
  assert.equal(readHealthDocument({ users: [] }), undefined);
  assert.equal(readHealthDocument([{ status: 'pass' }]), undefined);
  assert.equal(readHealthDocument('pass'), undefined);
  assert.equal(readHealthDocument(null), undefined);
});

test('health document: long details are cut', () => {
  const document = { checks: { 'x:y': [{ status: 'fail', output: 'e'.repeat(500) }] } };
  assert.equal(readHealthDocument(document)?.[0]?.detail, `${'e'.repeat(200)}…`);
});
