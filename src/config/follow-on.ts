import { isMap } from 'yaml';
import type { ConfigError } from './config-error.ts';
import type { SourceDocument } from './yaml/source-document.ts';

// "expected the name of a Runbook, found "restart"", "expected the name of a Service (a, b), found "db"".
const REFERENCE = /^expected the name of an? (\w+)\b[\s\S]*?, found ("(?:[^"\\]|\\.)*")/;

/**
 * The documents that did not make it into the config, so that a name they define is not
 * reported missing elsewhere: that error would follow from theirs, and go away with it. A
 * document whose YAML broke still names its kind and name when the parser got that far; a file
 * that could not be read or parsed to the end may define anything, and then no reference to
 * another document is reported until it is fixed.
 */
export class BrokenDocuments {
  #names = new Map<string, Set<string>>();
  #unknown = false;
  #dropped = 0;

  /** A document that failed its YAML or its schema. */
  add(source: SourceDocument): void {
    const { doc } = source;
    const kind = isMap(doc.contents) ? doc.get('kind') : undefined;
    const name = isMap(doc.contents) ? doc.getIn(['metadata', 'name']) : undefined;
    if (typeof kind !== 'string' || typeof name !== 'string') {
      if (!source.usable) this.#unknown = true;
      return;
    }
    this.#names.set(kind, (this.#names.get(kind) ?? new Set()).add(name));
  }

  /** Part of the config whose documents are not known at all (a file not read, or cut short). */
  addUnknown(): void {
    this.#unknown = true;
  }

  /** Cross-document errors without those that only follow from the broken documents. */
  filter(errors: readonly ConfigError[]): ConfigError[] {
    return errors.filter((error) => {
      const reference = REFERENCE.exec(error.message);
      if (reference === null) return true;
      const [, kind, quoted] = reference;
      const followOn = this.#unknown || this.#names.get(kind!)?.has(JSON.parse(quoted!)) === true;
      if (followOn) this.#dropped++;
      return !followOn;
    });
  }

  /** Why some references were not checked, when some were not. */
  notes(): string[] {
    if (this.#dropped === 0 || !this.#unknown) return [];
    return [
      `${this.#dropped} reference${this.#dropped === 1 ? '' : 's'} to other documents not checked: a file above could not be read or parsed, and may define what they name; fix it and validate again`,
    ];
  }
}
