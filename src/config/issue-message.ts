import type { z } from 'zod';
import { describeValue } from './describe-value.ts';
import { knownFieldsAt } from './schema-at.ts';
import { didYouMean } from './suggest.ts';

type Issue = z.core.$ZodIssue;

/** One error to report, before it gets a file position: the YAML locator adds that. */
export interface IssueReport {
  path: PropertyKey[];
  /** Point at the field's value, or at its key (unknown and invalid keys). */
  at: 'value' | 'key';
  message: string;
}

/** What a value at a path was, or that there was none. */
export type Lookup = (path: readonly PropertyKey[]) => { present: boolean; value: unknown };

/**
 * zod's issues in mend's words: every message reads "expected X, found Y", with Y the value as
 * written. Messages a schema wrote itself (starting "expected ") are kept and get the "found".
 */
export function reportIssue(issue: Issue, schema: z.ZodType, lookup: Lookup): IssueReport[] {
  const path = issue.path.filter((segment) => typeof segment !== 'symbol');
  const { present, value } = lookup(path);
  const found = present ? `found ${describeValue(value)}` : 'found nothing (the field is required)';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownFieldsAt(schema, path);
      return issue.keys.map((key) => {
        // A likely typo gets the suggestion; otherwise list what the object accepts.
        const hint = didYouMean(key, known);
        const expected = hint === '' ? `one of the fields ${known.join(', ')}` : 'a known field';
        return {
          path: [...path, key],
          at: 'key' as const,
          message: `expected ${expected}, found unknown field ${JSON.stringify(key)}${hint}`,
        };
      });
    }
    case 'invalid_key': {
      // A record key that breaks its own rule (a label key); `path` already ends at the key.
      const inner = issue.issues[0];
      const expected = inner ? expectation(inner) : 'expected a valid key';
      const key = path[path.length - 1];
      return [{ path, at: 'key', message: `${expected}, found key ${describeValue(key)}` }];
    }
    default: {
      const expected = expectation(issue);
      const message = /\bfound\b/.test(expected)
        ? expected
        : `${expected}, ${found}${size(issue, value)}${hint(issue, value)}`;
      return [{ path, at: 'value', message }];
    }
  }
}

/** A long value is shown cut short; for a length error, say how long it was. */
function size(issue: Issue, value: unknown): string {
  if (issue.code !== 'too_big' && issue.code !== 'too_small') return '';
  if (typeof value === 'string') return ` (${plural(value.length, 'character')})`;
  if (Array.isArray(value)) return ` (${plural(value.length, 'item')})`;
  return '';
}

/** For a misspelled choice, the closest allowed value. */
function hint(issue: Issue, value: unknown): string {
  // With one allowed value, the message already names it.
  if (issue.code !== 'invalid_value' || issue.values.length < 2 || typeof value !== 'string') {
    return '';
  }
  return didYouMean(value, issue.values.map(String));
}

/** The "expected X" half. */
function expectation(issue: Issue): string {
  if (issue.message.startsWith('expected ')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${typeName(issue.expected)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${describeValue(issue.values[0])}`
        : `expected one of ${issue.values.map((v) => describeValue(v)).join(', ')}`;
    case 'too_small':
      return `expected ${bound(issue.origin, issue.minimum, issue.inclusive, 'min')}`;
    case 'too_big':
      return `expected ${bound(issue.origin, issue.maximum, issue.inclusive, 'max')}`;
    case 'invalid_format':
      return issue.format === 'regex' && issue.pattern
        ? `expected a string matching ${issue.pattern}`
        : `expected a valid ${issue.format}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}`;
    case 'invalid_union':
      return 'expected one of the allowed forms';
    default:
      return `expected something else (${issue.message})`;
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  bigint: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  tuple: 'a list',
  null: 'null',
  literal: 'a fixed value',
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

function bound(
  origin: string,
  limit: number | bigint,
  inclusive: boolean | undefined,
  side: 'min' | 'max',
): string {
  const n = Number(limit);
  switch (origin) {
    case 'string':
      return side === 'min'
        ? `a string of at least ${plural(n, 'character')}`
        : `a string of at most ${plural(n, 'character')}`;
    case 'array':
    case 'set':
      return side === 'min'
        ? `a list of at least ${plural(n, 'item')}`
        : `a list of at most ${plural(n, 'item')}`;
    default: {
      const relation =
        side === 'min'
          ? inclusive
            ? 'at least'
            : 'greater than'
          : inclusive
            ? 'at most'
            : 'less than';
      return `a number ${relation} ${n}`;
    }
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
