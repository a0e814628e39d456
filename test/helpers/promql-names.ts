/** Words of PromQL that look like names and are not: binary operators, modifiers, clauses. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'atan2',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects, for checking them against what mend exports.
 * Not a parser (promtool checks the syntax): strings, label matchers, ranges and grouping
 * clauses are cut, and what is left that looks like a name, is no keyword and calls nothing, is
 * a metric name. Grafana's `$__rate_interval` sits in a range and goes with it.
 */
export function metricNames(expr: string): Set<string> {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/#[^\n]*/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const [name] of text.matchAll(/(?<![\w.:$])[a-zA-Z_:][\w:]*(?![\w:]|\s*\()/g)) {
    if (!KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return names;
}

/** Grafana's interval variables as a duration, so promtool can parse a panel's query. */
export function withoutGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(?:rate_interval|interval|range)\b/g, '5m');
}
