const LINE_WIDTH = 100;

/**
 * JSON laid out the way the project's formatter (Biome) lays it out, so a generated file passes
 * `biome check` untouched: objects one key per line, arrays of scalars on one line when they fit.
 */
export function formatJson(value: unknown): string {
  return `${layout(value, '', '')}\n`;
}

function layout(value: unknown, indent: string, prefix: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = `${indent}  `;
    if (value.every(isScalar)) {
      const flat = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
      // The line is the indent, the key, the array and a trailing comma.
      if (indent.length + prefix.length + flat.length + 1 <= LINE_WIDTH) return flat;
    }
    const items = value.map((item) => `${inner}${layout(item, inner, '')}`);
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    const lines = entries.map(([key, item]) => {
      const keyText = `${JSON.stringify(key)}: `;
      return `${inner}${keyText}${layout(item, inner, keyText)}`;
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}
