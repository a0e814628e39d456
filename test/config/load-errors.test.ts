import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorLines, type Files, service } from './files.ts';

interface Case {
  name: string;
  files: Files;
  /** Paths to load, relative to the temp dir; default: every file in `files`. */
  paths?: string[];
  /** The exact output of formatErrors, one line per error, temp dir removed. */
  errors: string[];
}

const check = (body: string) => `  checks:\n    - name: web\n${body}`;

const cases: Case[] = [
  {
    name: 'unknown field deep inside a probe, with a suggestion',
    files: {
      'a.yaml': service(
        'api',
        check(
          '      http:\n        url: http://127.0.0.1/\n        tls:\n          insecureSkipVerfy: true',
        ),
      ),
    },
    errors: [
      'a.yaml:11:11: spec.checks[0].http.tls.insecureSkipVerfy: expected a known field, found unknown field "insecureSkipVerfy" (did you mean "insecureSkipVerify"?)',
    ],
  },
  {
    name: 'unknown top-level fields: one error per key, at the key',
    files: { 'a.yaml': `${service('api')}status: {}\nextra: 1\n` },
    errors: [
      'a.yaml:7:1: status: expected one of the fields apiVersion, kind, metadata, spec, found unknown field "status"',
      'a.yaml:8:1: extra: expected one of the fields apiVersion, kind, metadata, spec, found unknown field "extra"',
    ],
  },
  {
    name: 'wrong type: a quoted number is a string',
    files: { 'a.yaml': service('api', check('      tcp: {port: "8080"}')) },
    errors: ['a.yaml:8:19: spec.checks[0].tcp.port: expected a number, found "8080"'],
  },
  {
    name: 'the example from the issue: a negative period',
    files: {
      'a.yaml': service('api', check('      periodSeconds: -5\n      tcp: {port: 80}')),
    },
    errors: [
      'a.yaml:8:22: spec.checks[0].periodSeconds: expected a number greater than 0, found -5',
    ],
  },
  {
    name: 'an integer field given a fraction',
    files: {
      'a.yaml': service('api', check('      failureThreshold: 1.5\n      tcp: {port: 80}')),
    },
    errors: ['a.yaml:8:25: spec.checks[0].failureThreshold: expected an integer, found 1.5'],
  },
  {
    name: 'missing required field: pointed at the object that lacks it',
    files: { 'a.yaml': service('api', '  checks:\n    - tcp: {port: 80}') },
    errors: [
      'a.yaml:7:7: spec.checks[0].name: expected a string, found nothing (the field is required)',
    ],
  },
  {
    name: 'missing metadata and spec: pointed at the document',
    files: { 'a.yaml': 'apiVersion: mend/v1\nkind: Service\n' },
    errors: [
      'a.yaml:1:1: metadata: expected a mapping, found nothing (the field is required)',
      'a.yaml:1:1: spec: expected a mapping, found nothing (the field is required)',
    ],
  },
  {
    name: 'bad enum value, with a suggestion',
    files: {
      'a.yaml': service('api', check('      role: readyness\n      tcp: {port: 80}')),
    },
    errors: [
      'a.yaml:8:13: spec.checks[0].role: expected one of "liveness", "readiness", "startup", found "readyness" (did you mean "readiness"?)',
    ],
  },
  {
    name: 'two probes in one check, reported with the other errors of the check',
    files: {
      'a.yaml': service(
        'api',
        check(
          '      periodSeconds: 0\n      http: {url: "http://x/"}\n      tcp:\n        port: 80',
        ),
      ),
    },
    errors: [
      'a.yaml:8:22: spec.checks[0].periodSeconds: expected a number greater than 0, found 0',
      'a.yaml:10:7: spec.checks[0].tcp: expected exactly one probe (http, tcp, exec, grpc, log, traces, prometheus), found http and tcp',
    ],
  },
  {
    name: 'successThreshold above 1 on a liveness (the default role) or startup check, as Kubernetes refuses it',
    files: {
      'a.yaml': service(
        'api',
        [
          '  checks:',
          '    - {name: live, successThreshold: 3, tcp: {port: 80}}',
          '    - {name: boot, role: startup, successThreshold: 2, tcp: {port: 80}}',
          '    - {name: ready, role: readiness, successThreshold: 3, tcp: {port: 80}}',
          '    - {name: once, role: liveness, successThreshold: 1, tcp: {port: 80}}',
        ].join('\n'),
      ),
    },
    errors: [
      'a.yaml:7:38: spec.checks[0].successThreshold: expected 1 for a liveness check, as in Kubernetes (only readiness checks may ask for several successes in a row), found 3',
      'a.yaml:8:53: spec.checks[1].successThreshold: expected 1 for a startup check, as in Kubernetes (only readiness checks may ask for several successes in a row), found 2',
    ],
  },
  {
    name: 'a successThreshold refused with the other errors of its check',
    files: {
      'a.yaml': service(
        'api',
        check('      periodSeconds: 0\n      successThreshold: 2\n      tcp: {port: 80}'),
      ),
    },
    errors: [
      'a.yaml:8:22: spec.checks[0].periodSeconds: expected a number greater than 0, found 0',
      'a.yaml:9:25: spec.checks[0].successThreshold: expected 1 for a liveness check, as in Kubernetes (only readiness checks may ask for several successes in a row), found 2',
    ],
  },
  {
    name: 'no probe',
    files: { 'a.yaml': service('api', check('      periodSeconds: 5')) },
    errors: [
      'a.yaml:7:7: spec.checks[0]: expected exactly one probe (http, tcp, exec, grpc, log, traces, prometheus), found none',
    ],
  },
  {
    name: 'bad regular expression',
    files: {
      'a.yaml': service('api', check('      http: {url: "http://x/", bodyRegex: "ok("}')),
    },
    errors: [
      'a.yaml:8:43: spec.checks[0].http.bodyRegex: expected a regular expression in RE2 syntax, found "ok(" (missing closing ): `ok(`)',
    ],
  },
  {
    name: 'bad URL: wrong scheme, and not a URL at all',
    files: {
      'a.yaml': service(
        'api',
        '  checks:\n    - name: a\n      http: {url: "ftp://x/"}\n    - name: b\n      http: {url: not a url}',
      ),
    },
    errors: [
      'a.yaml:8:19: spec.checks[0].http.url: expected an absolute http:// or https:// URL, found "ftp://x/"',
      'a.yaml:10:19: spec.checks[1].http.url: expected an absolute http:// or https:// URL, found "not a url"',
    ],
  },
  {
    name: 'list too short, string too long (with its length)',
    files: {
      'a.yaml': service(
        'api',
        `  checks:\n    - name: ${'x'.repeat(64)}\n      exec: {command: []}`,
      ),
    },
    errors: [
      'a.yaml:7:13: spec.checks[0].name: expected a string of at most 63 characters, found "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (64 characters)',
      'a.yaml:8:23: spec.checks[0].exec.command: expected a list of at least 1 item, found [] (0 items)',
    ],
  },
  {
    name: 'bad names and labels',
    files: {
      'a.yaml':
        'apiVersion: mend/v1\nkind: Service\nmetadata:\n  name: API\n  labels:\n    "bad key": x\n    tier: 3\n    app.example.com/name: web\nspec: {}\n',
    },
    errors: [
      'a.yaml:4:9: metadata.name: expected a name of lowercase letters, digits and "-" (RFC 1123 label), found "API"',
      'a.yaml:6:5: metadata.labels["bad key"]: expected a label key: an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or ".", found key "bad key"',
      'a.yaml:7:11: metadata.labels.tier: expected a string, found 3',
    ],
  },
  {
    name: 'wrong apiVersion and unknown kind, listing the known kinds',
    files: {
      'a.yaml': 'apiVersion: mend/v2\nkind: Servise\nmetadata: {name: api}\nspec: {}\n',
    },
    errors: [
      'a.yaml:1:13: apiVersion: expected "mend/v1", found "mend/v2"',
      'a.yaml:2:7: kind: expected one of the kinds Service, Policy, Silence, MaintenanceWindow, Settings, Notifier, Runbook, found "Servise" (did you mean "Service"?)',
    ],
  },
  {
    name: 'a document that is not a mapping; positions count from its own `---`',
    files: { 'a.yaml': `${service('api')}---\n- just\n- a list\n---\nhello\n` },
    errors: [
      'a.yaml:8:1: expected a mapping with apiVersion, kind, metadata and spec, found ["just","a list"]',
      'a.yaml:11:1: expected a mapping with apiVersion, kind, metadata and spec, found "hello"',
    ],
  },
  {
    name: 'dependency cycle, spelled out from its first name',
    files: {
      'a.yaml': [
        service('db', '  dependsOn: [api]'),
        service('api', '  dependsOn: [cache]'),
        service('cache', '  dependsOn: [db]'),
      ].join('---\n'),
    },
    errors: ['a.yaml:13:15: spec.dependsOn[0]: dependency cycle: api -> cache -> db -> api'],
  },
  {
    name: 'dependsOn: unknown service, itself, twice',
    files: {
      'a.yaml': `${service('api', '  dependsOn: [cahce, api, db, db]')}---\n${service('cache')}---\n${service('db')}`,
    },
    errors: [
      'a.yaml:6:15: spec.dependsOn[0]: expected the name of a Service (api, cache, db), found "cahce" (did you mean "cache"?)',
      'a.yaml:6:22: spec.dependsOn[1]: expected another service, found "api" (a service cannot depend on itself)',
      'a.yaml:6:31: spec.dependsOn[3]: expected each dependency once, found "db" again',
    ],
  },
  {
    name: 'depending on a service whose document is invalid is not a second error',
    files: {
      'a.yaml': `${service('api', '  dependsOn: [db]')}---\n${service('db', '  checks: 5')}`,
    },
    errors: ['a.yaml:13:11: spec.checks: expected a list, found 5'],
  },
  {
    name: 'duplicate Service names across files: at the second, naming the first',
    files: { 'a.yaml': service('api'), 'b.yaml': `${service('db')}---\n${service('api')}` },
    errors: [
      'b.yaml:11:9: metadata.name: expected a unique Service name, found "api" again (first at a.yaml:4:9)',
    ],
  },
  {
    name: 'duplicate check names within a service',
    files: {
      'a.yaml': service(
        'api',
        '  checks:\n    - name: live\n      tcp: {port: 1}\n    - name: live\n      tcp: {port: 2}',
      ),
    },
    errors: [
      'a.yaml:9:13: spec.checks[1].name: expected a check name unique within the service, found "live" again (first at line 7, column 13)',
    ],
  },
  {
    name: 'empty file',
    files: { 'a.yaml': '' },
    errors: [
      'a.yaml:1:1: expected at least one YAML document, found none (the file is empty or only comments)',
    ],
  },
  {
    name: 'a file of comments and bare separators',
    files: { 'a.yaml': '# nothing yet\n---\n---\n' },
    errors: [
      'a.yaml:1:1: expected at least one YAML document, found none (the file is empty or only comments)',
    ],
  },
  {
    name: 'YAML syntax error, with its position; the valid document beside it is still checked',
    files: { 'a.yaml': `${service('api', '  checks: 5')}---\nkey: "unclosed\n` },
    errors: [
      'a.yaml:6:11: spec.checks: expected a list, found 5',
      'a.yaml:9:1: YAML: Missing closing "quote',
    ],
  },
  {
    name: 'bad indentation',
    files: { 'a.yaml': 'apiVersion: mend/v1\nkind: Service\n metadata: {}\n' },
    errors: [
      'a.yaml:3:2: YAML: expected a new key at the indentation of the one above, or a value on the line above; found this line continuing the line above as one key (check its indentation)',
    ],
  },
  {
    name: 'an unclosed [ is reported where it opens, not lines later where the parser gives up',
    files: {
      'a.yaml':
        'apiVersion: mend/v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  dependsOn: [db\n  checks:\n    - name: live\n      tcp: { port: 80 }\n',
    },
    errors: [
      'a.yaml:6:14: YAML: expected a ] to close the flow sequence opened by this [, found none (the parser gave up at line 7, column 3)',
    ],
  },
  {
    name: 'a key dedented by one: one error, at the key, not at the indentation or the line before',
    files: {
      'a.yaml':
        'apiVersion: mend/v1\nkind: Service\nmetadata:\n  name: api\n  labels:\n    team: a\n   tier: b\nspec:\n  checks: []\n',
    },
    errors: ['a.yaml:7:4: YAML: All mapping items must start at the same column'],
  },
  {
    name: 'a list item dedented by one: one error for the line, not three',
    files: {
      'a.yaml':
        'apiVersion: mend/v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  checks:\n    - name: live\n      tcp: { port: 80 }\n   - name: other\n      tcp: { port: 81 }\n',
    },
    errors: ['a.yaml:9:4: YAML: A block sequence may not be used as an implicit map key'],
  },
  {
    name: 'duplicate key, naming the first one',
    files: {
      'a.yaml':
        'apiVersion: mend/v1\nkind: Service\nmetadata:\n  name: api\n  name: web\nspec: {}\n',
    },
    errors: [
      'a.yaml:5:3: metadata.name: expected each key once, found "name" again (first at line 4, column 3)',
    ],
  },
  {
    name: 'an alias with no anchor',
    files: { 'a.yaml': service('api', '  dependsOn: *deps') },
    errors: [
      'a.yaml:6:14: expected an anchor defined before its use, found alias *deps with no &deps above it',
    ],
  },
  {
    name: 'bytes that are not UTF-8 (Latin-1 "é"), located by line and column',
    files: {
      'a.yaml': Buffer.concat([
        Buffer.from('apiVersion: mend/v1\nkind: Service\nmetadata:\n  name: caf'),
        Buffer.from([0xe9]),
        Buffer.from('\nspec: {}\n'),
      ]),
    },
    errors: ['a.yaml:4:12: expected UTF-8 text, found byte 0xe9 (save the file as UTF-8)'],
  },
  {
    name: 'a path that does not exist, and a folder named like a YAML file',
    files: { 'conf/a.yaml': service('api'), 'conf/sub.yaml/': '' },
    paths: ['missing.yaml', 'conf'],
    errors: [
      'conf/sub.yaml: cannot read: is a folder, expected a file',
      'missing.yaml: cannot read: no such file or directory',
    ],
  },
  {
    name: 'a folder: its *.yaml and *.yml files, sorted; other and hidden files skipped',
    files: {
      'conf/b.yml': service('b', '  checks: 1'),
      'conf/a.yaml': service('a', '  checks: 2'),
      'conf/notes.txt': 'not: [yaml',
      'conf/.draft.yaml': 'not: [yaml',
    },
    paths: ['conf'],
    errors: [
      'conf/a.yaml:6:11: spec.checks: expected a list, found 2',
      'conf/b.yml:6:11: spec.checks: expected a list, found 1',
    ],
  },
  {
    name: 'an empty folder',
    files: { 'conf/': '' },
    paths: ['conf'],
    errors: ['conf: expected *.yaml or *.yml files in this folder, found none'],
  },
  {
    name: 'every error of every file at once, sorted by file, line and column',
    files: {
      'z.yaml': service('z', '  checks: 1\n  dependsOn: 2'),
      // Broken YAML that still names its kind and name: references elsewhere are checked.
      'm.yaml': `${service('m')}x: [`,
      'a.yaml': `${service('a', '  dependsOn: [nope]')}---\n${service('b', '  checks: 3')}`,
    },
    paths: ['z.yaml', 'm.yaml', 'a.yaml'],
    errors: [
      'a.yaml:6:15: spec.dependsOn[0]: expected the name of a Service (a, b, m, z), found "nope"',
      'a.yaml:13:11: spec.checks: expected a list, found 3',
      'm.yaml:7:4: YAML: expected a ] to close the flow sequence opened by this [, found none (the parser gave up at line 7, column 5)',
      'z.yaml:6:11: spec.checks: expected a list, found 1',
      'z.yaml:7:14: spec.dependsOn: expected a list, found 2',
    ],
  },
];

for (const c of cases) {
  test(c.name, async () => {
    assert.deepEqual(await errorLines(c.files, c.paths), c.errors);
  });
}
