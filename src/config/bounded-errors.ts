import { type ConfigError, compareErrors } from './config-error.ts';

/**
 * The errors of a load, of which the first `max` (by file, line and column) are kept and the
 * rest only counted: a broken 8 MiB file can have a million errors, and nobody reads past the
 * first hundred. Memory stays within twice `max` however many arrive.
 */
export class BoundedErrors {
  readonly max: number;
  #kept: ConfigError[] = [];
  #dropped = 0;
  #files = new Set<string>();

  constructor(max: number) {
    this.max = max;
  }

  add(errors: Iterable<ConfigError>): void {
    for (const error of errors) {
      this.#files.add(error.file);
      this.#kept.push(error);
      if (this.#kept.length >= 2 * this.max) this.#trim();
    }
  }

  get count(): number {
    return this.#kept.length + this.#dropped;
  }

  /** The first `max` errors, sorted; how many more there were; how many files had any. */
  result(): { errors: ConfigError[]; moreErrors: number; filesWithErrors: number } {
    this.#trim();
    return {
      errors: [...this.#kept],
      moreErrors: this.#dropped,
      filesWithErrors: this.#files.size,
    };
  }

  #trim(): void {
    this.#kept.sort(compareErrors);
    if (this.#kept.length > this.max) {
      this.#dropped += this.#kept.length - this.max;
      this.#kept.length = this.max;
    }
  }
}
