import type { SourcePosition } from './config-error.ts';
import type { Metadata } from './kinds/metadata.ts';
import type { SourceDocument } from './yaml/source-document.ts';

/** A document that passed its kind's schema, with defaults applied. */
export interface ValidDocument<Spec = unknown> {
  kind: string;
  metadata: Metadata;
  spec: Spec;
  /** Where the document begins. */
  position: SourcePosition;
  /** Where a field of it is written; `at: 'key'` points at the key rather than the value. */
  locate(path: readonly PropertyKey[], at?: 'value' | 'key'): SourcePosition;
  /** Its YAML, unless its kind let it go (DocumentKind.positions). */
  source?: SourceDocument;
}
