import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  declarationErrors,
  type ParamSpec,
  validateParams,
} from '../../src/config/kinds/runbook-params.ts';

const spec = (fields: Partial<ParamSpec> = {}): ParamSpec => ({
  type: 'string',
  allowLeadingDash: false,
  ...fields,
});

const NAME = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

test('defaults fill in, text is typed by the declaration', () => {
  const declared = {
    service: spec({ pattern: NAME }),
    replicas: spec({ type: 'integer', default: 2 }),
    force: spec({ type: 'boolean', default: false }),
    note: spec({ default: 'x' }),
  };
  assert.deepEqual(validateParams(declared, { service: 'api', replicas: '3', force: 'true' }), {
    params: { service: 'api', replicas: 3, force: true, note: 'x' },
  });
  // YAML reads `note: 5` as a number: as a string param it is the text "5".
  assert.deepEqual(validateParams(declared, { service: 'db', note: 5 }), {
    params: { service: 'db', replicas: 2, force: false, note: '5' },
  });
});

test('every problem at once: missing, undeclared, wrong type, pattern, enum, dash, NUL', () => {
  const declared = {
    service: spec({ pattern: NAME }),
    replicas: spec({ type: 'integer' }),
    mode: spec({ enum: ['soft', 'hard'] }),
    flag: spec(),
    nul: spec(),
    required: spec(),
  };
  const result = validateParams(declared, {
    service: 'api; rm -rf /',
    replicas: '3.5',
    mode: 'nuke',
    flag: '--force',
    nul: 'a\u0000b',
    servce: 'typo',
  });
  assert.deepEqual(result, {
    errors: [
      'params.servce: not declared by the runbook (declared: service, replicas, mode, flag, nul, required)',
      `params.service: expected a value matching ${NAME}, found "api; rm -rf /"`,
      'params.replicas: expected an integer, found "3.5"',
      'params.mode: expected one of "soft", "hard", found "nuke"',
      'params.flag: expected a value that does not begin with "-" (allowLeadingDash is false), found "--force"',
      'params.nul: expected no NUL character, found "a\\u0000b"',
      'params.required: required and not given (a policy gives it in heal.params; a run by hand, as a param)',
    ],
  });
});

test('the pattern is anchored: a partial match is not a match', () => {
  const declared = { name: spec({ pattern: '[a-z]+' }) };
  assert.ok('errors' in validateParams(declared, { name: 'ok\n; reboot' }));
  assert.ok('errors' in validateParams(declared, { name: 'x y' }));
  assert.deepEqual(validateParams(declared, { name: 'ok' }), { params: { name: 'ok' } });
});

test('allowLeadingDash lets a value begin with "-"', () => {
  const declared = { offset: spec({ allowLeadingDash: true }) };
  assert.deepEqual(validateParams(declared, { offset: '-5' }), { params: { offset: '-5' } });
});

test('a declaration whose default breaks its own rules, or whose regex does not compile', () => {
  assert.deepEqual(declarationErrors(spec({ pattern: NAME, default: 'Bad_Name' })), [
    { path: ['default'], message: `expected a value matching ${NAME}, found "Bad_Name"` },
  ]);
  assert.deepEqual(declarationErrors(spec({ type: 'integer', enum: [1, 'two'] })), [
    { path: ['enum', '1'], message: 'expected an integer, found "two"' },
  ]);
  assert.equal(declarationErrors(spec({ pattern: '(' }))[0]?.path[0], 'pattern');
});
