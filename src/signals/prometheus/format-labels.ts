/** A label set as PromQL writes it, keys sorted: `{instance="a:1",job="api"}`. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  return `{${keys.map((key) => `${key}=${JSON.stringify(labels[key])}`).join(',')}}`;
}
