import { type JsonSchema, toJsonSchema } from './json-schema.ts';
import { API_VERSION, type DocumentKind } from './kinds/document-kind.ts';
import { documentSchema } from './kinds/registry.ts';

interface Row {
  field: string;
  type: string;
  required: boolean;
  default: string;
  description: string;
}

export const REGENERATE_COMMAND = 'npx node src/cli/write-generated.ts';

/** docs/config-reference.md: every field of every kind, from the same schemas that validate. */
export function renderReferenceDoc(documentKinds: readonly DocumentKind[]): string {
  const sections = documentKinds.map((kind) => {
    const schema = toJsonSchema(documentSchema(kind));
    return [`## ${kind.kind}`, '', kind.summary, '', table(fieldRows(schema, '')), ''].join('\n');
  });
  return [
    '# mend configuration reference',
    '',
    `<!-- Generated from the schemas in src/config by \`${REGENERATE_COMMAND}\`. Do not edit. -->`,
    '',
    `A config file holds one or more YAML documents separated by \`---\`. Each document has`,
    `\`apiVersion: ${API_VERSION}\`, a \`kind\`, \`metadata\` and a \`spec\`. Unknown fields are errors.`,
    `Check files with \`mend validate -c FILE_OR_FOLDER\`; \`schema/mend.schema.json\` gives editors`,
    'completion and inline errors.',
    '',
    `Kinds: ${documentKinds.map((kind) => `[${kind.kind}](#${kind.kind.toLowerCase()})`).join(', ')}.`,
    '',
    `In field names, \`[]\` is "each item of the list".`,
    '',
    ...sections,
  ].join('\n');
}

function fieldRows(schema: JsonSchema, path: string): Row[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).flatMap(([key, child]) => {
    const field = path === '' ? key : `${path}.${key}`;
    const row: Row = {
      field,
      type: typeOf(child),
      required: required.has(key),
      default: 'default' in child ? `\`${JSON.stringify(child.default)}\`` : '',
      description: describe(child),
    };
    const items = child.items as JsonSchema | undefined;
    const nested =
      child.type === 'array' && items ? fieldRows(items, `${field}[]`) : fieldRows(child, field);
    return [row, ...nested];
  });
}

function describe(schema: JsonSchema): string {
  const text = typeof schema.description === 'string' ? schema.description : '';
  const target = schema.type === 'array' ? (schema.items as JsonSchema | undefined) : schema;
  const choices = (target?.oneOf ?? []) as JsonSchema[];
  const exactlyOne = choices.flatMap((choice) => (choice.required ?? []) as string[]);
  if (exactlyOne.length === 0) return text;
  const list = exactlyOne.map((name) => `\`${name}\``).join(', ');
  return `${text} Each item sets exactly one of ${list}.`.trim();
}

function typeOf(schema: JsonSchema): string {
  if ('const' in schema) return `\`${JSON.stringify(schema.const)}\``;
  if (Array.isArray(schema.enum)) {
    return `one of ${schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(', ')}`;
  }
  const limits = constraints(schema);
  const suffix = limits.length > 0 ? ` (${limits.join(', ')})` : '';
  switch (schema.type) {
    case 'array': {
      const items = typeOf((schema.items ?? {}) as JsonSchema);
      return `list of ${items}${limits.length > 0 ? `; ${limits.join(', ')}` : ''}`;
    }
    case 'object': {
      const values = schema.additionalProperties;
      if (typeof values !== 'object' || values === null) return 'object';
      const keys = typeOf((schema.propertyNames ?? { type: 'string' }) as JsonSchema);
      return `map of ${keys} to ${typeOf(values as JsonSchema)}`;
    }
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return `${schema.type}${suffix}`;
    default:
      return 'any';
  }
}

function constraints(schema: JsonSchema): string[] {
  const out: string[] = [];
  const add = (key: string, render: (value: unknown) => string) => {
    if (key in schema) out.push(render(schema[key]));
  };
  add('exclusiveMinimum', (v) => `> ${v}`);
  add('minimum', (v) => `≥ ${v}`);
  add('exclusiveMaximum', (v) => `< ${v}`);
  if (schema.maximum !== Number.MAX_SAFE_INTEGER) add('maximum', (v) => `≤ ${v}`);
  add('minLength', (v) => `at least ${plural(v, 'character')}`);
  add('maxLength', (v) => `at most ${plural(v, 'character')}`);
  add('minItems', (v) => `at least ${plural(v, 'item')}`);
  add('maxItems', (v) => `at most ${plural(v, 'item')}`);
  add('format', (v) => `${v}`);
  add('pattern', (v) => `pattern \`${v}\``);
  return out;
}

function plural(n: unknown, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function table(rows: Row[]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const header = ['Field', 'Type', 'Required', 'Default', 'Description'];
  const body = rows.map((row) => [
    `\`${row.field}\``,
    cell(row.type),
    row.required ? 'yes' : '',
    cell(row.default),
    cell(row.description),
  ]);
  // Columns padded to equal width, as Biome formats Markdown tables, so `biome check` passes.
  const widths = header.map((_, i) =>
    Math.max(3, ...[header, ...body].map((cells) => [...cells[i]!].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((text, i) => text + ' '.repeat(widths[i]! - [...text].length)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
