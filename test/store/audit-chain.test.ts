import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  AuditChainVerifier,
  type AuditProblem,
  auditHash,
  GENESIS_HASH,
} from '../../src/store/audit-chain.ts';
import type { AuditChainRow, AuditHead, StoredAuditEntry } from '../../src/store/store.ts';
import { stableJson } from '../../src/support/stable-hash.ts';

type Content = Omit<StoredAuditEntry, 'id' | 'seq' | 'prevHash' | 'hash'>;

/** Rows chained as appendAudit chains them, ids from 1. */
function chain(contents: Content[]): StoredAuditEntry[] {
  const rows: StoredAuditEntry[] = [];
  let prevHash = GENESIS_HASH;
  contents.forEach((content, i) => {
    const linked = { ...content, seq: i + 1, prevHash };
    const row = { ...linked, id: i + 1, hash: auditHash(linked) };
    rows.push(row);
    prevHash = row.hash;
  });
  return rows;
}

function headOf(rows: StoredAuditEntry[]): AuditHead {
  const last = rows.at(-1);
  return last === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: last.seq, hash: last.hash };
}

function verify(rows: AuditChainRow[], head: AuditHead): AuditProblem | undefined {
  const verifier = new AuditChainVerifier();
  for (const row of rows) {
    const problem = verifier.check(row);
    if (problem !== undefined) return problem;
  }
  return verifier.finish(head);
}

const text = fc.string({ minLength: 1, maxLength: 12 });
const json = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const contentArb: fc.Arbitrary<Content> = fc.record(
  {
    at: fc.integer({ min: 0, max: 2 ** 45 }),
    actor: text.map((t) => `token:${t}`),
    role: fc.constantFrom('viewer', 'operator', 'admin', 'ingest'),
    source: text,
    requestId: text,
    action: fc.constantFrom('approval.approve', 'token.create', 'auth.refused'),
    target: text,
    params: json,
    result: fc.constantFrom('ok', 'accepted', 'refused', 'failed' as const),
  },
  { requiredKeys: ['at', 'actor', 'action', 'target', 'params', 'result'] },
);

const FIELDS = [
  'at',
  'actor',
  'role',
  'source',
  'requestId',
  'action',
  'target',
  'params',
  'result',
  'seq',
  'prevHash',
  'hash',
] as const;

const otherValue = fc.oneof(
  fc.integer(),
  text,
  json,
  fc.constant(undefined),
  fc.stringMatching(/^[0-9a-f]{64}$/),
);

test('an untouched chain verifies, whatever it holds', () => {
  fc.assert(
    fc.property(fc.array(contentArb, { maxLength: 10 }), (contents) => {
      const rows = chain(contents);
      assert.equal(verify(rows, headOf(rows)), undefined);
    }),
  );
});

test('property: any edit of any field of any row is found at that row', () => {
  fc.assert(
    fc.property(
      fc.array(contentArb, { minLength: 1, maxLength: 8 }),
      fc.nat(),
      fc.constantFrom(...FIELDS),
      otherValue,
      (contents, pick, field, value) => {
        const rows = chain(contents);
        const k = pick % rows.length;
        const row = rows[k]!;
        fc.pre(stableJson(row[field] ?? null) !== stableJson(value ?? null));
        const edited = { ...row, [field]: value } as StoredAuditEntry;
        if (value === undefined) delete (edited as unknown as Record<string, unknown>)[field];
        const tampered = rows.with(k, edited);
        const problem = verify(tampered, headOf(rows));
        assert.equal(problem?.id, row.id, `${field} of row ${row.id}: ${problem?.message}`);
      },
    ),
  );
});

test('a deleted row is found at the row after it; the last rows, against the head', () => {
  const rows = chain(Array.from({ length: 5 }, (_, n) => content(n)));
  const head = headOf(rows);
  const without = (i: number) => rows.filter((_, j) => j !== i);
  assert.deepEqual(verify(without(0), head), {
    id: 2,
    seq: 2,
    message: 'row seq 2 (id 2) comes where seq 1 should: seq 1 deleted, or rows reordered',
  });
  assert.match(verify(without(2), head)?.message ?? '', /^row seq 4 \(id 4\) comes where seq 3/);
  assert.deepEqual(verify(without(4), head), {
    id: 4,
    seq: 4,
    message: 'the chain ends at seq 4 (id 4), but its head says seq 5: the last rows were deleted',
  });
  assert.match(verify([], head)?.message ?? '', /the log is empty, but its head says seq 5/);
  // Several in a row.
  assert.match(
    verify([rows[0]!, rows[4]!], head)?.message ?? '',
    /row seq 5 \(id 5\) comes where seq 2 should: seq 2-4 deleted/,
  );
});

test('rows reordered (ids swapped) are found where the order breaks', () => {
  const rows = chain(Array.from({ length: 4 }, (_, n) => content(n)));
  const swapped = [rows[0]!, { ...rows[2]!, id: 2 }, { ...rows[1]!, id: 3 }, rows[3]!];
  assert.deepEqual(verify(swapped, headOf(rows)), {
    id: 2,
    seq: 3,
    message: 'row seq 3 (id 2) comes where seq 2 should: seq 2 deleted, or rows reordered',
  });
});

test('an inserted row is found: with a made-up hash, a forged link, or a correct hash past the head', () => {
  const rows = chain(Array.from({ length: 3 }, (_, n) => content(n)));
  const head = headOf(rows);
  const forged = { ...content(9), seq: 2, prevHash: rows[0]!.hash, id: 99 };
  const made = { ...forged, hash: 'f'.repeat(64) };
  assert.match(
    verify([rows[0]!, made, ...rows.slice(1)], head)?.message ?? '',
    /id 99.*does not match its hash/,
  );
  const linked = { ...forged, hash: auditHash(forged) };
  // Its own hash holds; the row after it no longer follows.
  assert.match(
    verify([rows[0]!, linked, ...rows.slice(1)], head)?.message ?? '',
    /^row seq 2 \(id 2\) comes after seq 2: rows reordered, or this row inserted/,
  );
  const appended = { ...content(9), seq: 4, prevHash: rows[2]!.hash, id: 4 };
  const past = [...rows, { ...appended, hash: auditHash(appended) }];
  assert.match(
    verify(past, head)?.message ?? '',
    /goes on to seq 4 \(id 4\), past its head \(seq 3\)/,
  );
});

test('an unreadable row is named; a whole chain rewritten is found only against an anchor', () => {
  const rows = chain(Array.from({ length: 3 }, (_, n) => content(n)));
  assert.deepEqual(verify([rows[0]!, { id: 2, unreadable: 'params is not JSON' }], headOf(rows)), {
    id: 2,
    message: 'row id 2 cannot be read: params is not JSON',
  });
  // Someone who can write the file can rewrite every hash and the head: the chain holds...
  const rewritten = chain(
    rows.map((row, n) => ({ ...content(n), target: n === 1 ? 'forged' : row.target })),
  );
  assert.equal(verify(rewritten, headOf(rewritten)), undefined);
  // ...but not against a head exported before (mend audit verify --anchor SEQ:HASH).
  const verifier = new AuditChainVerifier({ seq: 3, hash: rows[2]!.hash });
  const problems = rewritten.map((row) => verifier.check(row)).filter(Boolean);
  assert.match(problems[0]?.message ?? '', /row seq 3 \(id 3\): its hash is not the anchor's/);
  const short = new AuditChainVerifier({ seq: 7, hash: rows[2]!.hash });
  for (const row of rows) assert.equal(short.check(row), undefined);
  assert.match(short.finish(headOf(rows))?.message ?? '', /no row has the anchor's seq 7/);
});

function content(n: number): Content {
  return {
    at: 1_700_000_000_000 + n,
    actor: 'cli:alice',
    action: 'breaker.reset',
    target: `breaker/svc-${n}`,
    params: { n },
    result: 'accepted',
  };
}
