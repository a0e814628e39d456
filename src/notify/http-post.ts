import { type UndiciResponse, undici } from '../support/undici.ts';
import { DeliveryError, isTransientStatus } from './delivery-error.ts';

/** Enough of a receiver's answer to say why it refused; the rest is not read. */
const MAX_ANSWER_BYTES = 4096;

export interface HttpAnswer {
  status: number;
  text: string;
}

/**
 * POST a JSON body; resolves with the answer when the status is 2xx, otherwise throws a
 * DeliveryError that is transient for 408/425/429/5xx and for network errors. Messages name the
 * URL's origin only: the path of a Slack webhook URL is its credential.
 */
export async function postJson(
  url: string,
  body: unknown,
  options: { headers?: Record<string, string>; signal: AbortSignal },
): Promise<HttpAnswer> {
  const where = originOf(url);
  let response: UndiciResponse;
  const { request } = await undici();
  try {
    response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: options.signal,
    });
  } catch (err) {
    const cause = err as Error & { code?: string; cause?: { code?: string } };
    const code = cause.code ?? cause.cause?.code;
    const detail =
      code && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
    throw new DeliveryError(`cannot POST to ${where}: ${detail}`, { transient: true, cause: err });
  }
  const text = await readBounded(response.body);
  if (response.statusCode >= 200 && response.statusCode < 300) {
    return { status: response.statusCode, text };
  }
  const answer = text.trim() === '' ? '' : `: ${text.trim().slice(0, 300)}`;
  throw new DeliveryError(`${where} answered ${response.statusCode}${answer}`, {
    transient: isTransientStatus(response.statusCode),
  });
}

async function readBounded(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_ANSWER_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the receiver';
  }
}
