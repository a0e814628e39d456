/** One sample of the Prometheus text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The parsed text of a /metrics scrape: its samples, and the metric families it declares. */
export interface Exposition {
  samples: Sample[];
  /** `# TYPE` lines: family name -> type. */
  types: Map<string, string>;
  /** Every sample name a query may use: the families, and a histogram's _bucket, _sum and _count. */
  names: Set<string>;
  /** The samples of `name` whose labels include `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The value of the one sample of `name` with at least these labels; throws unless one. */
  value(name: string, labels?: Record<string, string>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) {
      labels[name!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  const names = new Set<string>();
  for (const [name, type] of types) {
    names.add(name);
    if (type === 'histogram' || type === 'summary') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    }
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
  return {
    samples,
    types,
    names,
    find,
    value(name, labels = {}) {
      const found = find(name, labels);
      if (found.length !== 1) {
        throw new Error(
          `${found.length} samples of ${name}${JSON.stringify(labels)}: ${JSON.stringify(found)}`,
        );
      }
      return found[0]!.value;
    },
  };
}

/** mend_received_total of one kind (alert, event, span) by outcome, from a scrape of `base`. */
export async function receivedTotals(base: string, kind: string): Promise<Record<string, number>> {
  const scrape = parseExposition(await (await fetch(new URL('/metrics', base))).text());
  const counts: Record<string, number> = {};
  for (const sample of scrape.find('mend_received_total', { kind })) {
    counts[sample.labels.outcome!] = sample.value;
  }
  return counts;
}
