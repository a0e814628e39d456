import { dirname, relative, resolve } from 'node:path';
import type { Config } from '../config/config.ts';
import { ConfigError, formatErrors } from '../config/config-error.ts';
import { formatFieldPath } from '../config/field-path.ts';
import { reportIssue } from '../config/issue-message.ts';
import { parseRfc3339 } from '../config/kinds/silence.ts';
import { valueAt } from '../config/validate-document.ts';
import { locate } from '../config/yaml/locate.ts';
import { parseSource } from '../config/yaml/parse-source.ts';
import { readSource } from '../config/yaml/read-source.ts';
import type { SourceDocument } from '../config/yaml/source-document.ts';
import { loadMendConfig } from '../documents.ts';
import { createEngine } from '../policy/index.ts';
import { inputMistakes } from './check-inputs.ts';
import { compareCase, type Mismatch } from './compare.ts';
import { runCase } from './run-case.ts';
import { offsetMs, type TestCase, type TestFile, testFile } from './schema.ts';

export interface PolicyTestResult {
  passed: number;
  /**
   * Everything that did not pass: cases that failed, cases that could not run (their config
   * does not load: also counted in `notRun`), and files that could not be read.
   */
  failed: number;
  notRun: number;
  /** Pass/fail per case, and for each failure what was expected and what happened. */
  report: string;
}

/**
 * `mend test FILE...`: run every case of every file. A case whose config does not load is not
 * run, and says so; a file that cannot be read has no cases to count, and says so.
 */
export async function runPolicyTests(files: string[]): Promise<PolicyTestResult> {
  let passed = 0;
  let failed = 0;
  let notRun = 0;
  let unread = 0;
  const lines: string[] = [];
  for (const file of files) {
    lines.push(relative(process.cwd(), file) || file);
    const loaded = await loadTestFile(file);
    if ('errors' in loaded) {
      unread++;
      lines.push(...indent(loaded.errors, '  ! '));
      continue;
    }
    if ('configErrors' in loaded) lines.push(...indent(loaded.configErrors, '  ! '));
    for (const testCase of loaded.test.cases) {
      const result = await runOne(file, loaded, testCase);
      if ('notRun' in result) {
        notRun++;
        lines.push(`  ✗ ${testCase.name}: not run: ${result.notRun}`);
        lines.push(...indent(result.errors, '      ! '));
      } else if (result.length === 0) {
        passed++;
        lines.push(`  ✓ ${testCase.name}`);
      } else {
        failed++;
        lines.push(`  ✗ ${testCase.name}`);
        lines.push(...result.flatMap(describeMismatch));
      }
    }
  }
  const cases = passed + failed + notRun;
  const notRunWords =
    notRun > 0
      ? ` (${notRun} not run: ${notRun === 1 ? 'its' : 'their'} config does not load)`
      : '';
  const unreadWords = unread > 0 ? `; ${plural(unread, 'file')} could not be read` : '';
  lines.push(
    `${plural(cases, 'case')}: ${passed} passed, ${failed + notRun} failed${notRunWords}${unreadWords}`,
  );
  return { passed, failed: failed + notRun + unread, notRun, report: `${lines.join('\n')}\n` };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

type CaseResult = Mismatch[] | { notRun: string; errors: string[] };

async function runOne(file: string, loaded: Readable, testCase: TestCase): Promise<CaseResult> {
  let config: Config;
  if (testCase.config !== undefined) {
    const own = await loadMendConfig(testCase.config.map((path) => resolve(dirname(file), path)));
    if (own.config === undefined) {
      return {
        notRun: 'its config does not load:',
        errors: formatErrors(own.errors, own.moreErrors).split('\n'),
      };
    }
    config = own.config;
  } else if ('config' in loaded) {
    config = loaded.config;
  } else {
    return { notRun: 'the file’s config does not load (above)', errors: [] };
  }
  const order = outOfOrder(testCase);
  if (order !== null) return [order];
  const start = parseRfc3339(loaded.test.start)!;
  const engine = createEngine(config);
  const run = runCase(engine, config, start, testCase);
  return [...inputMistakes(testCase, run, start), ...compareCase(testCase, run, start)];
}

function outOfOrder(testCase: TestCase): Mismatch | null {
  let last = 0;
  for (const input of testCase.inputs) {
    const at = offsetMs(input.at);
    if (at < last) {
      return {
        at: input.at,
        what: 'inputs in time order',
        expected: [`at ≥ previous input`],
        actual: [input.at],
      };
    }
    last = at;
  }
  return null;
}

/** A test file that was read: with its config, or why that does not load (cases may have their own). */
type Readable = { test: TestFile; config: Config } | { test: TestFile; configErrors: string[] };

type Loaded = Readable | { errors: string[] };

async function loadTestFile(file: string): Promise<Loaded> {
  const read = await readSource(file);
  if ('error' in read) return { errors: [read.error.format()] };
  const documents: SourceDocument[] = [];
  const parseErrors = parseSource(file, read.text, (document) => documents.push(document));
  if (parseErrors.length > 0) return { errors: formatErrors(parseErrors).split('\n') };
  const source = documents[0]!;
  const result = testFile.safeParse(source.data);
  if (!result.success) {
    const errors = result.error.issues.flatMap((issue) =>
      reportIssue(issue, testFile, (path) => valueAt(source.data, path)).map(
        (report) =>
          new ConfigError(
            locate(source, report.path, report.at),
            formatFieldPath(report.path),
            report.message,
          ),
      ),
    );
    return { errors: formatErrors(errors).split('\n') };
  }
  const loaded = await loadMendConfig(
    result.data.config.map((path) => resolve(dirname(file), path)),
  );
  if (loaded.config === undefined) {
    return {
      test: result.data,
      configErrors: [
        'the config does not load:',
        ...formatErrors(loaded.errors, loaded.moreErrors).split('\n'),
      ],
    };
  }
  return { test: result.data, config: loaded.config };
}

function describeMismatch(mismatch: Mismatch): string[] {
  return [
    `      at ${mismatch.at}, ${mismatch.what}:`,
    '        expected:',
    ...indent(mismatch.expected, '          '),
    '        actual:',
    ...indent(mismatch.actual, '          '),
  ];
}

function indent(lines: readonly string[], prefix: string): string[] {
  return lines.map((line) => `${prefix}${line}`);
}
