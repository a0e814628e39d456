import assert from 'node:assert/strict';

/** What plugins say to a person (an error, a summary): one line of text, never empty. */
export function assertOneLine(text: string | undefined): void {
  assert.equal(typeof text, 'string', 'a line of text');
  assert.match(text ?? '', /^\S[^\n\r]*$/, `one line: ${JSON.stringify(text)}`);
}

/** `pending`, or a failure once it has not settled within `ms`: a plugin that hangs fails its test. */
export async function settleWithin<T>(pending: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([pending, late]);
  } finally {
    clearTimeout(timer);
  }
}
