/**
 * When a series of a `prometheus` check's answer fails: `nonEmpty` (every series returned fails,
 * as an alerting rule's expression fires for each series it returns) or a comparison of each
 * sample's value (`> 0.05`, `<= 1`). Comparisons follow PromQL's: NaN compares false, but `!=`.
 */
export type FailCondition =
  | { kind: 'nonEmpty' }
  | { kind: 'compare'; op: CompareOp; value: number };

export type CompareOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

const COMPARISON =
  /^\s*(>=|<=|==|!=|>|<)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?Inf)\s*$/;

export const FAIL_CONDITION_EXPECTED =
  'expected nonEmpty or a comparison such as "> 0.05" (operators >, >=, <, <=, ==, !=)';

export function parseFailCondition(text: string): FailCondition | { error: string } {
  if (text.trim() === 'nonEmpty') return { kind: 'nonEmpty' };
  const match = COMPARISON.exec(text);
  if (match === null) return { error: FAIL_CONDITION_EXPECTED };
  const number = match[2]!;
  const value = /Inf$/.test(number)
    ? number.startsWith('-')
      ? Number.NEGATIVE_INFINITY
      : Number.POSITIVE_INFINITY
    : Number(number);
  return { kind: 'compare', op: match[1] as CompareOp, value };
}

export function fails(condition: FailCondition, value: number): boolean {
  if (condition.kind === 'nonEmpty') return true;
  const limit = condition.value;
  switch (condition.op) {
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

export function describeCondition(condition: FailCondition): string {
  return condition.kind === 'nonEmpty' ? 'returned' : `${condition.op} ${condition.value}`;
}
