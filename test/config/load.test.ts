import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHECK_DEFAULTS } from '../../src/config/kinds/service.ts';
import { loadMendConfig } from '../../src/documents.ts';
import { probeOf } from '../../src/signals/probes/registry.ts';
import { errorLines, service, withFiles } from './files.ts';

test('a valid config: defaults applied, labels kept, each service knows where it was written', async () => {
  const files = {
    'conf/a.yaml': `---\n${service('api', '  dependsOn: [db]\n  checks:\n    - name: live\n      http: {url: "http://127.0.0.1:8080/healthz"}')}---\n`,
    'conf/b.yml':
      'apiVersion: mend/v1\nkind: Service\nmetadata:\n  name: db\n  labels: {tier: data, app.kubernetes.io/name: pg}\nspec:\n  checks:\n    - {name: up, role: readiness, tcp: {port: 5432}}\n',
  };
  await withFiles(files, async (dir) => {
    const { config, errors } = await loadMendConfig([join(dir, 'conf')]);
    assert.deepEqual(errors, []);
    assert.ok(config);
    assert.deepEqual(config.files, [join(dir, 'conf/a.yaml'), join(dir, 'conf/b.yml')]);
    const [api, db] = config.services;
    assert.equal(api?.name, 'api');
    assert.deepEqual(api?.dependsOn, ['db']);
    assert.deepEqual(api?.labels, {});
    assert.deepEqual(api?.source, { file: join(dir, 'conf/a.yaml'), line: 2, col: 1 });
    assert.deepEqual(api?.checks[0], {
      name: 'live',
      ...CHECK_DEFAULTS,
      labels: {},
      http: {
        url: 'http://127.0.0.1:8080/healthz',
        method: 'GET',
        headers: {},
        maxBodyBytes: 65536,
        healthDocument: 'auto',
        tls: { insecureSkipVerify: false },
      },
    });
    assert.deepEqual(db?.labels, { tier: 'data', 'app.kubernetes.io/name': 'pg' });
    assert.deepEqual(probeOf(db!.checks[0]!), {
      kind: 'tcp',
      spec: { host: '127.0.0.1', port: 5432 },
    });
    assert.equal(db?.checks[0]?.role, 'readiness');
  });
});

test('a file named twice, or as well as its folder, is read once', async () => {
  await withFiles({ 'conf/a.yaml': service('api') }, async (dir) => {
    const file = join(dir, 'conf/a.yaml');
    const { config, errors } = await loadMendConfig([file, join(dir, 'conf'), file]);
    assert.deepEqual(errors, []);
    assert.deepEqual(config?.files, [file]);
    assert.equal(config?.services.length, 1);
  });
});

test('anchors and aliases work within a document, so checks can share settings', async () => {
  const spec =
    '  checks:\n    - {name: a, tcp: &db {host: db.internal, port: 5432}}\n    - {name: b, role: readiness, tcp: *db}';
  await withFiles({ 'a.yaml': service('api', spec) }, async (dir) => {
    const { config, errors } = await loadMendConfig([join(dir, 'a.yaml')]);
    assert.deepEqual(errors, []);
    const shared = probeOf(config!.services[0]!.checks[1]!);
    assert.deepEqual(shared, { kind: 'tcp', spec: { host: 'db.internal', port: 5432 } });
  });
});

test('a UTF-8 byte order mark is accepted and does not shift columns', async () => {
  const bom = `\uFEFF${service('api', '  checks: 5')}`;
  assert.deepEqual(await errorLines({ 'a.yaml': bom }), [
    'a.yaml:6:11: spec.checks: expected a list, found 5',
  ]);
});

test('Windows line endings give the same positions', async () => {
  const crlf = service('api', '  checks: 5').replaceAll('\n', '\r\n');
  assert.deepEqual(await errorLines({ 'a.yaml': crlf }), [
    'a.yaml:6:11: spec.checks: expected a list, found 5',
  ]);
});

test('no paths: an empty config, not an error', async () => {
  assert.deepEqual(await loadMendConfig([]), {
    config: {
      services: [],
      policies: [],
      silences: [],
      maintenanceWindows: [],
      notifiers: [],
      runbooks: [],
      settings: {
        dryRun: false,
        maxConcurrent: null,
        groupBy: ['service'],
        chronic: { heals: 3, withinMs: 86_400_000 },
        storeOutage: { exitAfterMs: 60_000 },
      },
      files: [],
    },
    errors: [],
    moreErrors: 0,
    filesWithErrors: 0,
    notes: [],
  });
});
