import type { Document, LineCounter } from 'yaml';

/** One YAML document of a config file, with what is needed to point back into the file. */
export interface SourceDocument {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain data (aliases resolved), the input to the schema. */
  data: unknown;
  /** False when the YAML itself was broken: its errors are reported, the schema is not run. */
  usable: boolean;
}
