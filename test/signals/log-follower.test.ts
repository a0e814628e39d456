import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { LogFollower } from '../../src/signals/probes/log-follower.ts';

const OPTIONS = { maxReadBytes: 1024 * 1024, maxLineBytes: 100 };

describe('LogFollower', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mend-follow-'));
    path = join(dir, 'app.log');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts at the end of a file it has no cursor for: old lines are history', async () => {
    await writeFile(path, 'old 1\nold 2\n');
    const follower = new LogFollower(path, OPTIONS);
    assert.deepEqual((await follower.read()).lines, []);
    await appendFile(path, 'new 1\nnew 2\n');
    assert.deepEqual((await follower.read()).lines, ['new 1', 'new 2']);
    await follower.close();
  });

  it('takes only whole lines: a line still being written waits for its newline', async () => {
    await writeFile(path, '');
    const follower = new LogFollower(path, OPTIONS);
    await follower.read();
    await appendFile(path, 'whole\npart');
    assert.deepEqual((await follower.read()).lines, ['whole']);
    await appendFile(path, 'ial\r\n');
    assert.deepEqual((await follower.read()).lines, ['partial']);
    await follower.close();
  });

  it('follows a rotation by rename: the old file to its end, then the new one from its start', async () => {
    await writeFile(path, '');
    const follower = new LogFollower(path, OPTIONS);
    await follower.read();
    await appendFile(path, 'before\n');
    await rename(path, `${path}.1`);
    // Written to the old file after the rename, by a writer that still holds it open.
    await appendFile(`${path}.1`, 'late in old\n');
    await writeFile(path, 'first in new\n');
    const read = await follower.read();
    assert.deepEqual(read.lines, ['before', 'late in old', 'first in new']);
    assert.match(read.notes.join(), /rotated/);
    await appendFile(path, 'second in new\n');
    assert.deepEqual((await follower.read()).lines, ['second in new']);
    await follower.close();
  });

  it('follows copy-truncate: a file shorter than the offset is read from its start', async () => {
    await writeFile(path, '');
    const follower = new LogFollower(path, OPTIONS);
    await follower.read();
    await appendFile(path, 'a long line before the copy\n');
    assert.deepEqual((await follower.read()).lines, ['a long line before the copy']);
    await truncate(path, 0);
    await appendFile(path, 'after\n');
    const read = await follower.read();
    assert.deepEqual(read.lines, ['after']);
    assert.match(read.notes.join(), /truncated/);
    await follower.close();
  });

  it('follows deletion: reports the file missing, then reads the new one from its start', async () => {
    await writeFile(path, '');
    const follower = new LogFollower(path, OPTIONS);
    await follower.read();
    await appendFile(path, 'last words\n');
    await rm(path);
    const gone = await follower.read();
    assert.deepEqual(gone.lines, ['last words']);
    assert.equal(gone.missing, true);
    assert.equal((await follower.read()).missing, true);
    await writeFile(path, 'reborn\n');
    const back = await follower.read();
    assert.deepEqual(back.lines, ['reborn']);
    assert.equal(back.missing, false);
    await follower.close();
  });

  it('a file that appears after the start is read from its start', async () => {
    const follower = new LogFollower(path, OPTIONS);
    assert.equal((await follower.read()).missing, true);
    await writeFile(path, 'hello\n');
    assert.deepEqual((await follower.read()).lines, ['hello']);
    await follower.close();
  });

  it('goes on from a cursor of the same file, and reads a different file from its start', async () => {
    await writeFile(path, 'one\n');
    const first = new LogFollower(path, OPTIONS);
    const { cursor } = await first.read();
    await first.close();
    assert.ok(cursor);
    assert.equal(cursor.offset, 4);
    await appendFile(path, 'two\n');
    const resumed = new LogFollower(path, { ...OPTIONS, resume: cursor });
    assert.deepEqual((await resumed.read()).lines, ['two']);
    await resumed.close();

    // Rotated while mend was away: the cursor names another file.
    await rename(path, `${path}.1`);
    await writeFile(path, 'three\n');
    const replaced = new LogFollower(path, { ...OPTIONS, resume: cursor });
    const read = await replaced.read();
    assert.deepEqual(read.lines, ['three']);
    assert.match(read.notes.join(), /new file since mend last read it/);
    await replaced.close();
  });

  it('cuts a line past maxLineBytes, and a read past maxReadBytes says it is behind', async () => {
    await writeFile(path, '');
    const follower = new LogFollower(path, { maxReadBytes: 300, maxLineBytes: 100 });
    await follower.read();
    await appendFile(path, `${'x'.repeat(150)}\n${'y\n'.repeat(200)}`);
    const first = await follower.read();
    assert.equal(first.lines[0], `${'x'.repeat(100)}…`);
    assert.equal(first.behind, true);
    let total = first.lines.length;
    for (let i = 0; i < 5; i++) total += (await follower.read()).lines.length;
    assert.equal(total, 201);
    await follower.close();
  });

  it('refuses a path that is not a regular file', async () => {
    const follower = new LogFollower(dir, OPTIONS);
    await assert.rejects(follower.read(), /not a regular file/);
  });
});
