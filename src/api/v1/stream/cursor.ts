/**
 * Where a stream reader is: the last recorded decision (seq) and the last runbook journal entry
 * (id) it has seen. Each event's SSE id is the cursor after it, so a reader that reconnects with
 * Last-Event-ID resumes exactly there, in both sequences: nothing missed, nothing twice.
 */
export interface StreamCursor {
  seq: number;
  journal: number;
}

export function formatCursor(cursor: StreamCursor): string {
  return `${cursor.seq}-${cursor.journal}`;
}

/** A cursor from Last-Event-ID (or `?after=`); undefined for anything else. */
export function parseCursor(text: string | undefined): StreamCursor | undefined {
  const match = text === undefined ? null : /^(\d{1,15})-(\d{1,15})$/.exec(text.trim());
  if (match === null) return undefined;
  return { seq: Number(match[1]), journal: Number(match[2]) };
}
