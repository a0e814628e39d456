/**
 * Seeded mutations of config text, for the loader's fuzz test (fuzz.test.ts, a few hundred
 * cases in `npm test`) and `npm run fuzz:config` (thousands). The same seed gives the same
 * case, so a failure is reproduced from the seed it prints.
 */

/** mulberry32: a small, fast, seedable generator (not for anything but tests). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;

/** Past the 8 MiB file limit is enough to test it; repeated growth would not fit a string. */
export const MAX_TEXT = 9 * 1024 * 1024;

const int = (rnd: Random, n: number) => Math.floor(rnd() * n);
const pick = <T>(rnd: Random, items: readonly T[]): T => items[int(rnd, items.length)]!;

/** Text that means something to YAML, to the schema or to a regex engine. */
const TOKENS = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ': ',
  '- ',
  '? ',
  '---\n',
  '...\n',
  '&a ',
  '*a',
  '*b',
  '<<: *a\n',
  '!!str ',
  '!!map ',
  '!custom ',
  '"',
  "'",
  '|\n',
  '>-\n',
  '\t',
  '\u0000',
  '\ufeff',
  '#',
  '\n',
  '  ',
  'a: ',
  '%YAML 1.2\n',
  '\\',
  '\r\n',
  '😀',
  'null',
  '~',
  '0x1F',
  '1e400',
  '-.inf',
  'kind: Service\n',
  'kind: Policy\n',
  'kind: Runbook\n',
  'apiVersion: mend/v1\n',
  'dependsOn: [api, db]',
  'name: api',
  'pattern: "(a+)+$"',
  'bodyRegex: "(x+x+)+y"',
  'matchers: [\'job=~"(a|a)*"\']',
  'when: "signal.labels.x == 1"',
  '{{params.x}}',
];

/** Runs that stress a bound when repeated: nesting, long lines, many keys, alias fans. */
const RUNS = ['{', '[', 'a: ', '- ', '[a, ', '{a: ', ' ', 'x', '*a, ', '&a [', '\n', 'k: v\n'];

export type Mutation = (text: string, rnd: Random, max: number) => string;

const at = (text: string, rnd: Random) => int(rnd, text.length + 1);
const repeat = (text: string, times: number, max: number) =>
  text.repeat(Math.max(1, Math.min(times, Math.floor(max / Math.max(1, text.length)))));

export const MUTATIONS: Record<string, Mutation> = {
  deleteRange(text, rnd) {
    const from = at(text, rnd);
    return text.slice(0, from) + text.slice(from + int(rnd, 40) + 1);
  },
  insertToken(text, rnd) {
    const i = at(text, rnd);
    return text.slice(0, i) + pick(rnd, TOKENS) + text.slice(i);
  },
  repeatRun(text, rnd, max) {
    const i = at(text, rnd);
    const times = pick(rnd, [2, 10, 100, 1000, 3000]);
    return text.slice(0, i) + repeat(pick(rnd, RUNS), times, max) + text.slice(i);
  },
  duplicateRange(text, rnd, max) {
    const from = at(text, rnd);
    const part = text.slice(from, from + int(rnd, 200) + 1);
    return text.slice(0, from) + repeat(part, int(rnd, 20) + 2, max) + text.slice(from);
  },
  swapLines(text, rnd) {
    const lines = text.split('\n');
    const a = int(rnd, lines.length);
    const b = int(rnd, lines.length);
    [lines[a], lines[b]] = [lines[b]!, lines[a]!];
    return lines.join('\n');
  },
  reindent(text, rnd) {
    const lines = text.split('\n');
    const i = int(rnd, lines.length);
    const line = lines[i]!;
    lines[i] = rnd() < 0.5 ? ` ${line}` : line.replace(/^ {1,2}/, '');
    return lines.join('\n');
  },
  truncate(text, rnd) {
    return text.slice(0, at(text, rnd));
  },
  flipChar(text, rnd) {
    const i = int(rnd, text.length);
    return text.slice(0, i) + String.fromCharCode(int(rnd, 128)) + text.slice(i + 1);
  },
  longValue(text, rnd) {
    const i = text.indexOf(': ', at(text, rnd));
    if (i === -1) return text;
    return `${text.slice(0, i + 2)}${'v'.repeat(pick(rnd, [64, 1000, 70_000]))}${text.slice(i + 2)}`;
  },
  manyDocuments(text, rnd, max) {
    return repeat(`${text}\n---\n`, pick(rnd, [2, 50, 500]), max);
  },
};

const NAMES = Object.keys(MUTATIONS);

/**
 * One to four mutations of `text`, chosen by `rnd`, growing it to at most `max` characters;
 * also says which, for the failure message.
 */
export function mutate(
  text: string,
  rnd: Random,
  max = MAX_TEXT,
): { text: string; applied: string[] } {
  const applied: string[] = [];
  let out = text;
  const count = int(rnd, 4) + 1;
  for (let i = 0; i < count; i++) {
    const name = pick(rnd, NAMES);
    applied.push(name);
    out = MUTATIONS[name]!(out, rnd, max).slice(0, max);
  }
  return { text: out, applied };
}
