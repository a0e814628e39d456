import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  GRANTS,
  leastRoleFor,
  PERMISSIONS,
  parseRole,
  permits,
  ROLES,
  refusal,
} from '../../../src/api/auth/roles.ts';

test('the role table, as the issue states it', () => {
  const table = Object.fromEntries(
    PERMISSIONS.map((p) => [p, ROLES.filter((role) => permits(role, p))]),
  );
  assert.deepEqual(table, {
    read: ['viewer', 'operator', 'admin'],
    'approvals:decide': ['operator', 'admin'],
    'breakers:reset': ['operator', 'admin'],
    'silences:write': ['operator', 'admin'],
    'runbooks:run': ['operator', 'admin'],
    'tokens:read': ['admin'],
    'tokens:write': ['admin'],
    'audit:read': ['admin'],
    'alerts:ingest': ['ingest'],
    'events:ingest': ['ingest'],
  });
});

test('viewer < operator < admin: each grants everything the one before does', () => {
  for (const [lower, higher] of [
    ['viewer', 'operator'],
    ['operator', 'admin'],
  ] as const) {
    for (const permission of GRANTS[lower]) assert.ok(permits(higher, permission), permission);
    assert.ok(GRANTS[higher].length > GRANTS[lower].length);
  }
  // ingest shares nothing with the others: it reads nothing, and nobody else ingests.
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    assert.deepEqual(
      GRANTS.ingest.filter((p) => permits(role, p)),
      [],
    );
  }
});

test('the least role for each permission, and a refusal that names it', () => {
  assert.deepEqual(
    PERMISSIONS.map((p) => leastRoleFor(p)),
    [
      'viewer',
      'operator',
      'operator',
      'operator',
      'operator',
      'admin',
      'admin',
      'admin',
      'ingest',
      'ingest',
    ],
  );
  for (const permission of PERMISSIONS) assert.ok(permits(leastRoleFor(permission), permission));
  assert.equal(
    refusal('viewer', 'approvals:decide'),
    'a token with role viewer may not approvals:decide: it needs role operator or above',
  );
  assert.equal(
    refusal('operator', 'audit:read'),
    'a token with role operator may not audit:read: it needs role admin',
  );
  assert.equal(
    refusal('admin', 'alerts:ingest'),
    'a token with role admin may not alerts:ingest: it needs role ingest',
  );
});

test('roles by name, with a did-you-mean', () => {
  assert.deepEqual(parseRole('operator'), { role: 'operator' });
  assert.deepEqual(parseRole('operater'), {
    error:
      'unknown role "operater" (did you mean "operator"?): roles are viewer, operator, admin, ingest',
  });
  assert.deepEqual(parseRole('root'), {
    error: 'unknown role "root": roles are viewer, operator, admin, ingest',
  });
  assert.ok('error' in parseRole('Admin '));
});
