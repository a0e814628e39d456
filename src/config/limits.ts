/**
 * Every bound the config loader puts on its input, with its default, in one place. The loader
 * runs on `mend validate`, at `mend run` start and on every SIGHUP reload, so no input may make
 * it hang, exhaust memory or crash: each limit is refused with a FILE[:LINE:COL] error that
 * names the limit and what to do. The defaults are far above real configs (10,000 services of
 * about 500 bytes each load in one file or in 10,000) and keep the worst case bounded: the YAML
 * parser reads 0.3 to 1 MB a second and holds about 100 bytes of memory per byte of a document,
 * so time is linear in the size and the size is what is limited.
 */
export interface ConfigLimits {
  /** Files a config may have (folders expanded). */
  maxFiles: number;
  /** Bytes in one file. */
  maxFileBytes: number;
  /** Bytes in all files together. */
  maxConfigBytes: number;
  /** Characters in one line. */
  maxLineLength: number;
  /** Characters in one YAML document (between `---` markers). */
  maxDocumentLength: number;
  /** YAML documents in all files together. */
  maxDocuments: number;
  /** Levels of nested mappings, lists and flow collections in a document. */
  maxDepth: number;
  /** Errors reported; the rest are counted ("and 1,234 more"). */
  maxErrors: number;
  /** Characters in one regular expression (bodyRegex, param patterns, label matchers). */
  maxRegexLength: number;
}

const MiB = 1024 * 1024;

export const CONFIG_LIMITS: Readonly<ConfigLimits> = Object.freeze({
  maxFiles: 20_000,
  maxFileBytes: 8 * MiB,
  maxConfigBytes: 32 * MiB,
  maxLineLength: 64 * 1024,
  maxDocumentLength: 1_000_000,
  maxDocuments: 50_000,
  maxDepth: 64,
  maxErrors: 100,
  maxRegexLength: 4096,
});

/** `16 MiB`, `64 KiB`, `512 bytes`: sizes as people read them. */
export function formatBytes(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}
