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
import { compareCase, type Mismatch } from './compare.ts';
import { runCase } from './run-case.ts';
import { offsetMs, type TestCase, type TestFile, testFile } from './schema.ts';

export interface PolicyTestResult {
  passed: number;
  failed: number;
  /** Pass/fail per case, and for each failure what was expected and what happened. */
  report: string;
}

/** `mend test FILE...`: run every case of every file; a file that cannot run counts as failed. */
export async function runPolicyTests(files: string[]): Promise<PolicyTestResult> {
  let passed = 0;
  let failed = 0;
  const lines: string[] = [];
  for (const file of files) {
    lines.push(relative(process.cwd(), file) || file);
    const loaded = await loadTestFile(file);
    if ('errors' in loaded) {
      failed++;
      lines.push(...indent(loaded.errors, '  ! '));
      continue;
    }
    for (const testCase of loaded.test.cases) {
      const result = await runOne(file, loaded.test, loaded.config, testCase);
      if (result.length === 0) {
        passed++;
        lines.push(`  ✓ ${testCase.name}`);
      } else {
        failed++;
        lines.push(`  ✗ ${testCase.name}`);
        lines.push(...result.flatMap(describeMismatch));
      }
    }
  }
  const total = passed + failed;
  lines.push(`${total} case${total === 1 ? '' : 's'}: ${passed} passed, ${failed} failed`);
  return { passed, failed, report: `${lines.join('\n')}\n` };
}

async function runOne(file: string, test: TestFile, shared: Config, testCase: TestCase) {
  let config = shared;
  if (testCase.config !== undefined) {
    const own = await loadMendConfig(testCase.config.map((path) => resolve(dirname(file), path)));
    if (own.config === undefined) {
      return [
        {
          at: '0s',
          what: 'the case’s config',
          expected: ['valid'],
          actual: formatErrors(own.errors, own.moreErrors).split('\n'),
        },
      ] satisfies Mismatch[];
    }
    config = own.config;
  }
  const order = outOfOrder(testCase);
  if (order !== null) return [order];
  const start = parseRfc3339(test.start)!;
  const engine = createEngine(config);
  return compareCase(testCase, runCase(engine, config, start, testCase), start);
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

type Loaded = { test: TestFile; config: Config } | { errors: string[] };

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
      errors: [
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
