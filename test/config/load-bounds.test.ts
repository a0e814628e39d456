import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatErrors } from '../../src/config/config-error.ts';
import type { ConfigLimits } from '../../src/config/limits.ts';
import { loadMendConfig } from '../../src/documents.ts';
import { service, withFiles } from './files.ts';

/** Each case must answer at once: without the bounds these hang or take minutes. */
const fast = { timeout: 15_000 };

async function lines(dir: string, paths: string[], limits: Partial<ConfigLimits> = {}) {
  const started = performance.now();
  const result = await loadMendConfig(
    paths.map((p) => join(dir, p)),
    limits,
  );
  const elapsedMs = performance.now() - started;
  assert.ok(elapsedMs < 8000, `took ${elapsedMs} ms`);
  return formatErrors(result.errors, result.moreErrors)
    .split('\n')
    .map((line) => line.replaceAll(`${dir}/`, ''));
}

test('a FIFO named x.yaml in a config folder is refused, not read forever', fast, async () => {
  await withFiles({ 'conf/a.yaml': service('api') }, async (dir) => {
    execFileSync('mkfifo', [join(dir, 'conf/x.yaml')]);
    assert.deepEqual(await lines(dir, ['conf']), [
      'conf/x.yaml: cannot read: expected a regular file, found a FIFO (config files must be plain files)',
    ]);
  });
});

test('a symlink to /dev/zero is refused', fast, async () => {
  await withFiles({ 'conf/a.yaml': service('api') }, async (dir) => {
    await symlink('/dev/zero', join(dir, 'conf/x.yaml'));
    assert.deepEqual(await lines(dir, ['conf']), [
      'conf/x.yaml: cannot read: expected a regular file, found a device (config files must be plain files)',
    ]);
  });
});

test('a 59 MB file is refused by its size, before it is read', fast, async () => {
  await withFiles({ 'big.yaml': '' }, async (dir) => {
    await truncate(join(dir, 'big.yaml'), 59_000_000); // sparse: nothing is written
    assert.deepEqual(await lines(dir, ['big.yaml']), [
      'big.yaml: cannot read: expected at most 8 MiB (the limit for one config file), found 56.3 MiB: split it into several files',
    ]);
  });
});

test(
  'the files together are bounded too: the first one past the total is reported',
  fast,
  async () => {
    const files = { 'a.yaml': service('a'), 'b.yaml': service('b'), 'c.yaml': service('c') };
    await withFiles(files, async (dir) => {
      const limit = Buffer.byteLength(service('a')) * 2;
      assert.deepEqual(
        await lines(dir, ['a.yaml', 'b.yaml', 'c.yaml'], { maxConfigBytes: limit }),
        [
          `c.yaml: cannot read: the config's files together are over ${limit} bytes (the limit for all files together) with this one: pass fewer files`,
        ],
      );
    });
  },
);

test('the number of files is bounded', fast, async () => {
  const files = { 'conf/a.yaml': service('a'), 'conf/b.yaml': service('b') };
  await withFiles(files, async (dir) => {
    assert.deepEqual(await lines(dir, ['conf'], { maxFiles: 1 }), [
      'conf: expected at most 1 config files (the limit), found 2: put several documents in one file (---)',
    ]);
  });
});

test('the size limit for one file is the one given', fast, async () => {
  await withFiles({ 'a.yaml': '' }, async (dir) => {
    await writeFile(join(dir, 'a.yaml'), service('a'));
    assert.deepEqual(await lines(dir, ['a.yaml'], { maxFileBytes: 10 }), [
      `a.yaml: cannot read: expected at most 10 bytes (the limit for one config file), found ${Buffer.byteLength(service('a'))} bytes: split it into several files`,
    ]);
  });
});

const braces = `a: ${'{'.repeat(2000)}\n`;

test(
  '2,000 opening braces on one line: refused at the nesting limit, not parsed for minutes',
  fast,
  async () => {
    await withFiles({ 'a.yaml': braces }, async (dir) => {
      assert.deepEqual(await lines(dir, ['a.yaml']), [
        'a.yaml:1:67: expected at most 64 levels of nested mappings and lists (the limit), found more here: look for a [ or { that is never closed, or flatten the document',
      ]);
    });
  },
);

// The file of the SIGHUP crash in issue 15: `a: ` 2,000 times overflowed the parser's stack.
const compactMaps = `  params:\n        command: ${'a: '.repeat(2000)}\n      notify:\n`;

test('2,000 nested compact mappings: the nesting limit, not a stack overflow', fast, async () => {
  await withFiles({ 'b.yaml': compactMaps }, async (dir) => {
    assert.deepEqual(await lines(dir, ['b.yaml']), [
      'b.yaml:2:204: expected at most 64 levels of nested mappings and lists (the limit), found more here: look for a [ or { that is never closed, or flatten the document',
    ]);
  });
});

test('an exception from the YAML parser is an error of the file, never thrown', fast, async () => {
  // Deeper than any call stack, with the depth limit lifted: the parser's RangeError surfaces.
  const deeper = compactMaps.replace('a: '.repeat(2000), 'a: '.repeat(20_000));
  await withFiles({ 'b.yaml': deeper }, async (dir) => {
    const found = await lines(dir, ['b.yaml'], { maxDepth: 1_000_000 });
    assert.equal(found.length, 1);
    assert.match(
      found[0]!,
      /^b\.yaml: YAML: the parser failed on this file \(Maximum call stack size exceeded\); simplify the YAML around where it goes wrong$/,
    );
  });
});

test('490 KB of unclosed flow sequences loads in linear time', fast, async () => {
  const text = Array.from({ length: 50_000 }, (_, i) => `k${i}: [\n`).join('');
  await withFiles({ 'a.yaml': text }, async (dir) => {
    const found = await lines(dir, ['a.yaml']);
    assert.equal(found.length, 101);
    assert.match(found[100]!, /^… and [\d,]+ more errors \(only the first 100 are shown/);
  });
});

test('100,000 keys in one mapping are checked for duplicates in linear time', fast, async () => {
  const keys = Array.from({ length: 100_000 }, (_, i) => `k${i}: v\n`).join('');
  await withFiles({ 'a.yaml': `${keys}k7: again\n` }, async (dir) => {
    assert.deepEqual(await lines(dir, ['a.yaml']), [
      'a.yaml:100001:1: k7: expected each key once, found "k7" again (first at line 8, column 1)',
    ]);
  });
});

test('a 5 MB line is refused by the line length limit before it is parsed', fast, async () => {
  await withFiles({ 'a.yaml': `${service('api')}x: ${'a'.repeat(5_000_000)}\n` }, async (dir) => {
    assert.deepEqual(await lines(dir, ['a.yaml']), [
      'a.yaml:7:65537: expected lines of at most 65,536 characters (the limit), found one of 5,000,003: break it over several lines (a long text can be a block scalar, | or >)',
    ]);
  });
});

test('a document longer than the limit is refused where it starts', fast, async () => {
  const text = `${service('a')}---\n${service('b', `  checks: []\n  x: |\n${'    text\n'.repeat(100)}`)}`;
  await withFiles({ 'a.yaml': text }, async (dir) => {
    assert.deepEqual(await lines(dir, ['a.yaml'], { maxDocumentLength: 500 }), [
      'a.yaml:7:1: expected a YAML document of at most 500 characters (the limit), found a longer one starting here: split it into several documents (---)',
    ]);
  });
});

test('the number of documents in the whole config is bounded', fast, async () => {
  const files = { 'a.yaml': `${service('a')}---\n${service('b')}`, 'b.yaml': service('c') };
  await withFiles(files, async (dir) => {
    assert.deepEqual(await lines(dir, ['a.yaml', 'b.yaml'], { maxDocuments: 2 }), [
      'b.yaml:1:1: expected at most 2 YAML documents in the config (the limit), found more: pass fewer files',
    ]);
  });
});

test('10,000 services in one dependsOn cycle: one error, not a stack overflow', fast, async () => {
  const name = (i: number) => `s${String(i % 10_000).padStart(5, '0')}`;
  const text = Array.from({ length: 10_000 }, (_, i) =>
    service(name(i), `  dependsOn: [${name(i + 1)}]\n  checks: []`),
  ).join('---\n');
  await withFiles({ 'a.yaml': text }, async (dir) => {
    assert.deepEqual(await lines(dir, ['a.yaml']), [
      'a.yaml:6:15: spec.dependsOn[0]: dependency cycle: s00000 -> s00001 -> s00002 -> s00003 -> s00004 -> … -> s09996 -> s09997 -> s09998 -> s09999 -> s00000 (10,000 services)',
    ]);
  });
});

test(
  '10,000 services in one dependsOn chain load: the limits leave room for a real fleet',
  fast,
  async () => {
    const name = (i: number) => `s${String(i).padStart(5, '0')}`;
    const text = Array.from({ length: 10_000 }, (_, i) =>
      service(name(i), `  dependsOn: [${i + 1 < 10_000 ? name(i + 1) : ''}]\n  checks: []`),
    ).join('---\n');
    await withFiles({ 'a.yaml': text }, async (dir) => {
      const result = await loadMendConfig([join(dir, 'a.yaml')]);
      assert.deepEqual(result.errors, []);
      assert.equal(result.config?.services.length, 10_000);
    });
  },
);

test('600,000 parser errors in 600 KB cost no stack traces: linear, and fast', fast, async () => {
  // Each `[` after a plain scalar in a flow mapping is an error of the parser's; each of its
  // errors captured a stack trace, 8 µs apiece.
  const doc = service('api', `  checks:\n    - { name: live${'['.repeat(3000)} }`);
  const text = Array.from({ length: 200 }, () => doc).join('---\n');
  await withFiles({ 'a.yaml': text }, async (dir) => {
    const started = performance.now();
    const result = await loadMendConfig([join(dir, 'a.yaml')]);
    const ms = performance.now() - started;
    assert.equal(result.errors.length, 100);
    assert.ok(ms < 5000, `took ${Math.round(ms)} ms`);
  });
});
