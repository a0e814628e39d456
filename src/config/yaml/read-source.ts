import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { ConfigError } from '../config-error.ts';
import { CONFIG_LIMITS, type ConfigLimits, formatBytes } from '../limits.ts';
import { invalidUtf8Offset } from './utf8.ts';

export type SourceText = { text: string } | { error: ConfigError };

const READ_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a folder, expected a file',
  ELOOP: 'too many symbolic links',
};

/**
 * A config file's text, or the one error that explains why there is none. Only regular files
 * are read, and only up to `maxFileBytes`: a FIFO would block the reader forever and
 * /dev/zero never ends. Opened without blocking, so a FIFO is seen for what it is.
 */
export async function readSource(
  file: string,
  limits: Pick<ConfigLimits, 'maxFileBytes'> = CONFIG_LIMITS,
): Promise<SourceText> {
  const fail = (problem: string) => ({
    error: new ConfigError({ file, line: 0, col: 0 }, '', `cannot read: ${problem}`),
  });
  let handle: FileHandle | undefined;
  let bytes: Uint8Array;
  try {
    // Looked at before opening (a device is never opened), and again once open (it is the same file).
    const before = await stat(file);
    if (!before.isFile()) return fail(notRegular(before));
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = await handle.stat();
    if (!info.isFile()) return fail(notRegular(info));
    if (info.size > limits.maxFileBytes) return fail(tooBig(info.size, limits.maxFileBytes, ''));
    // One byte more than allowed, to notice a file that grew since the stat.
    const buffer = Buffer.alloc(Math.min(info.size, limits.maxFileBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > limits.maxFileBytes)
        return fail(tooBig(length, limits.maxFileBytes, ' or more'));
      if (length === buffer.length) break;
    }
    bytes = buffer.subarray(0, length);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    return fail(READ_PROBLEMS[code] ?? code);
  } finally {
    await handle?.close();
  }
  try {
    // The BOM, if any, is dropped here, as editors expect.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { error: notUtf8(file, bytes) };
  }
}

function notRegular(info: Stats): string {
  if (info.isDirectory()) return READ_PROBLEMS.EISDIR!;
  const what = info.isFIFO()
    ? 'a FIFO'
    : info.isCharacterDevice() || info.isBlockDevice()
      ? 'a device'
      : info.isSocket()
        ? 'a socket'
        : 'not a regular file';
  return `expected a regular file, found ${what} (config files must be plain files)`;
}

function tooBig(size: number, limit: number, more: string): string {
  return `expected at most ${formatBytes(limit)} (the limit for one config file), found ${formatBytes(size)}${more}: split it into several files`;
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
