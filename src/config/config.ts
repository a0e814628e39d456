import type { CheckSpec } from './kinds/service.ts';

/** Where a document came from, for error messages and `mend validate` output. */
export interface DocumentSource {
  file: string;
  line: number;
  col: number;
}

export interface ServiceConfig {
  name: string;
  labels: Record<string, string>;
  dependsOn: string[];
  checks: CheckSpec[];
  source: DocumentSource;
}

/** A loaded, validated and cross-checked configuration. Later issues add policies, runbooks, ... */
export interface Config {
  services: ServiceConfig[];
  /** The files it was loaded from, in the order read. */
  files: string[];
}
