import type { z } from 'zod';
import type { Config } from '../config.ts';
import type { ConfigError } from '../config-error.ts';
import type { ValidDocument } from '../valid-document.ts';

/** The fields of Config that document kinds fill (`files` is the loader's). */
export type ConfigSection = Exclude<keyof Config, 'files'>;

/** What a kind's cross-checks may read of the whole config being loaded. */
export interface CrossCheckContext {
  /** The valid documents of a kind, in the order read. */
  documents(kind: string): readonly ValidDocument[];
  /**
   * The names of a kind's documents, valid or not: a reference to a document that failed its
   * schema is not reported a second time.
   */
  names(kind: string): readonly string[];
  /** The raw text of a file, to point inside a value (a CEL error's column). */
  text(file: string): string | undefined;
}

/**
 * One kind of config document (`kind: Service`, `kind: Policy`, ...). Everything the loader, the
 * JSON Schema and the reference doc need is here, so a new kind is one file plus one line in the
 * table (src/documents.ts).
 */
export interface DocumentKind<Spec = unknown, Built = unknown> {
  readonly kind: string;
  readonly summary: string;
  readonly spec: z.ZodType<Spec>;
  /** The Config field its documents are built into. */
  readonly section: ConfigSection;
  /** At most one document of this kind (Settings); Config holds it, or `default` without one. */
  readonly single?: { default: Built };
  /**
   * The fields its cross-checks point at. Given, the loader keeps only their positions and lets
   * the YAML go (a config of 10,000 Services must not hold 10,000 syntax trees); otherwise the
   * document keeps its YAML, and any field can be located.
   */
  readonly positions?: (spec: Spec) => readonly (readonly PropertyKey[])[];
  /** One valid document as Config holds it. */
  build(document: ValidDocument<Spec>): Built;
  /** Checks across documents (references to other kinds), each error at its position. */
  crossCheck?(documents: readonly ValidDocument<Spec>[], context: CrossCheckContext): ConfigError[];
}

/** Helper so each kind file gets its Spec type inferred from its schema. */
export function defineDocumentKind<S extends z.ZodType, Built>(
  kind: DocumentKind<z.output<S>, Built> & { spec: S },
): DocumentKind<z.output<S>, Built> {
  return kind;
}

export const API_VERSION = 'mend/v1';
