const MAX_SHOWN = 40;

/**
 * The "found" half of an error message: the value as JSON, cut short, so the user sees exactly
 * what mend read (a quoted "8080" is a string, 8080 a number).
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    // YAML aliases can build cyclic data; say what it is instead of failing.
    json = Array.isArray(value) ? 'a list' : 'a mapping';
  }
  return json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN - 1)}…` : json;
}
