import { REDACTED } from './redactor.ts';

/**
 * Credentials a program may print into its own log, cut by their shape because mend does not
 * know their values (the run's redactor cuts the secrets mend read): a bearer token in a
 * header, `password=...`, `"apiKey": "..."`. Applied to pod logs before they are recorded.
 */
const PATTERNS: RegExp[] = [
  /(\bauthorization\s*[:=]\s*(?:bearer|basic)\s+)[^\s"',;]+/gi,
  /(\b(?:password|passwd|pwd|secret|token|api[-_]?key|access[-_]?key|client[-_]?secret)\b["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi,
  /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+(?=@)/gi,
];

export function cutCredentials(text: string): string {
  let out = text;
  for (const pattern of PATTERNS) out = out.replace(pattern, `$1${REDACTED}`);
  return out;
}
