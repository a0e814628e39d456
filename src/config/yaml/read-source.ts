import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config-error.ts';
import { invalidUtf8Offset } from './utf8.ts';

export type SourceText = { text: string } | { error: ConfigError };

const READ_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a folder, expected a file',
  ELOOP: 'too many symbolic links',
};

/** A config file's text, or the one error that explains why there is none. */
export async function readSource(file: string): Promise<SourceText> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    const problem = READ_PROBLEMS[code] ?? code;
    return { error: new ConfigError({ file, line: 0, col: 0 }, '', `cannot read: ${problem}`) };
  }
  try {
    // The BOM, if any, is dropped here, as editors expect.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { error: notUtf8(file, bytes) };
  }
}

function notUtf8(file: string, bytes: Uint8Array): ConfigError {
  const offset = Math.max(0, invalidUtf8Offset(bytes));
  // (lastIndexOf with a negative start would search from the end.)
  const lineStart = offset === 0 ? 0 : bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
  // Everything before the bad byte is valid UTF-8, so the column counts characters, as editors do.
  const col = new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1;
  const byte = (bytes[offset] ?? 0).toString(16).padStart(2, '0');
  return new ConfigError(
    { file, line, col },
    '',
    `expected UTF-8 text, found byte 0x${byte} (save the file as UTF-8)`,
  );
}
