import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTemplate } from '../../src/config/template.ts';
import { renderArg, renderJson, renderPath, renderUrl } from '../../src/runbooks/render.ts';
import { Refusal, type TemplateValues } from '../../src/runbooks/template-values.ts';

const values = (params: TemplateValues['params'], dash: string[] = []): TemplateValues => ({
  params,
  dashParams: new Set(dash),
  service: { name: 'api', labels: { team: 'pay', 'app.kubernetes.io/name': 'api-x' } },
  signal: { labels: { pod: 'api-7' }, check: 'live', fingerprint: 'f00' },
  incidentId: 'inc-3',
  runId: 'inc-3:heal:1',
});

test('load-time check: unknown roots and undeclared params are errors; labels are not', () => {
  assert.equal(checkTemplate('{{params.x}} {{service.labels.team}} {{run.id}}', ['x']), undefined);
  assert.match(
    checkTemplate('{{params.y}}', ['x']) ?? '',
    /expected a declared param \(x\), found \{\{params.y\}\}/,
  );
  assert.match(checkTemplate('{{env.HOME}}', []) ?? '', /found \{\{env.HOME\}\}/);
  assert.match(checkTemplate('{{service}}', []) ?? '', /found \{\{service\}\}/);
});

test('argv: a template may be part of an element; the result is one element', () => {
  const v = values({ name: 'a b;c' });
  assert.equal(renderArg('--name={{params.name}}', v, 'command[1]'), '--name=a b;c');
  assert.equal(renderArg('{{service.labels.app.kubernetes.io/name}}', v, 'c'), 'api-x');
  assert.equal(renderArg('{{signal.labels.pod}}/{{incident.id}}', v, 'c'), 'api-7/inc-3');
});

test('argv: a value that would start an element with "-" is refused unless its param allows it', () => {
  assert.throws(() => renderArg('{{params.x}}', values({ x: '-rf' }), 'command[2]'), Refusal);
  assert.throws(
    () => renderArg('{{params.e}}{{params.x}}', values({ e: '', x: '--all' }), 'c'),
    Refusal,
  );
  assert.equal(renderArg('{{params.x}}', values({ x: '-5' }, ['x']), 'c'), '-5');
  // After literal text the value is an option's value, not an option.
  assert.equal(renderArg('--offset={{params.x}}', values({ x: '-5' }), 'c'), '--offset=-5');
});

test('a reference with no value in this run is a refusal, never an empty string', () => {
  assert.throws(() => renderArg('{{signal.labels.missing}}', values({}), 'c'), /has no value/);
  const noSignal: TemplateValues = { params: {}, dashParams: new Set(), runId: 'r' };
  assert.throws(() => renderArg('{{signal.check}}', noSignal, 'c'), /has no value/);
});

test('URL: values are components; "." and ".." are refused', () => {
  const url = renderUrl(
    'http://127.0.0.1:1/svc/{{params.x}}?q={{params.y}}',
    values({ x: '../admin', y: 'a&b=c#d' }),
    'url',
  );
  assert.equal(url.pathname, '/svc/..%2Fadmin');
  assert.equal(url.search, '?q=a%26b%3Dc%23d');
  assert.equal(url.hash, '');
  assert.throws(
    () => renderUrl('http://h/{{params.x}}/y', values({ x: '..' }), 'url'),
    /a path step/,
  );
  assert.throws(() => renderUrl('{{params.x}}', values({ x: 'http://evil' }), 'url'), /not a URL/);
});

test('JSON: strings stay strings; a whole typed param keeps its type; keys are literal', () => {
  const v = values({ name: '"},"admin":true,"x":"', replicas: 3, canary: true });
  const body = renderJson(
    {
      name: '{{params.name}}',
      replicas: '{{params.replicas}}',
      canary: '{{params.canary}}',
      text: 'n={{params.replicas}}',
      list: ['{{params.name}}'],
    },
    v,
    'body',
  );
  assert.deepEqual(body, {
    name: '"},"admin":true,"x":"',
    replicas: 3,
    canary: true,
    text: 'n=3',
    list: ['"},"admin":true,"x":"'],
  });
  assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(body))), [
    'name',
    'replicas',
    'canary',
    'text',
    'list',
  ]);
});

test('paths: a value is one segment', () => {
  assert.equal(
    renderPath('/var/log/{{params.x}}.log', values({ x: 'api' }), 'path'),
    '/var/log/api.log',
  );
  for (const x of ['../../etc/shadow', '..', '.', 'a/b', '']) {
    assert.throws(() => renderPath('/var/log/{{params.x}}', values({ x }), 'path'), Refusal, x);
  }
});
