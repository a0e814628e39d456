import { PROBE_USER_AGENT } from '../../support/version.ts';

/**
 * The bytes of one HTTP/1.1 request, built once per check rather than once per probe.
 * `Connection: close` because every probe uses a fresh connection (as kubelet and
 * blackbox_exporter do): reusing one would hide a server that stopped accepting new ones.
 */
export interface RequestLine {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Throws on a header that would corrupt the request (validate-time, in prepare). */
export function checkHeaders(headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) throw new Error(`headers: ${JSON.stringify(name)} is not a header name`);
    if (!safeValue(value)) {
      throw new Error(
        `headers.${name}: a value may not contain CR, LF, NUL or characters beyond Latin-1`,
      );
    }
  }
}

// The headers kubelet sends, give or take the method and body: User-Agent mend-probe/VERSION and
// Accept */* unless configured; a configured one that is empty is left out (kubelet drops an empty
// Accept, and Go sends no empty User-Agent).
export function buildRequest({ method, url, headers, body }: RequestLine): Buffer {
  const given = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  if (!given.has('host')) head += `Host: ${url.host}\r\n`;
  if (!given.has('user-agent')) head += `User-Agent: ${PROBE_USER_AGENT}\r\n`;
  if (!given.has('accept')) head += 'Accept: */*\r\n';
  if (!given.has('authorization') && (url.username !== '' || url.password !== '')) {
    const userinfo = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    head += `Authorization: Basic ${Buffer.from(userinfo).toString('base64')}\r\n`;
  }
  head += 'Connection: close\r\n';
  for (const [name, value] of Object.entries(headers)) {
    if (sentAsConfigured(name.toLowerCase(), value)) head += `${name}: ${value}\r\n`;
  }
  const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
  // Servers answer 411 to a POST without a length, even an empty one.
  if (payload !== undefined || method === 'POST' || method === 'PUT' || method === 'PATCH') {
    head += `Content-Length: ${payload?.length ?? 0}\r\n`;
  }
  head += '\r\n';
  const bytes = Buffer.from(head, 'latin1');
  return payload === undefined ? bytes : Buffer.concat([bytes, payload]);
}

/** Connection and Content-Length are mend's to set; an empty default header means "send none". */
function sentAsConfigured(lower: string, value: string): boolean {
  if (lower === 'connection' || lower === 'content-length') return false;
  return value !== '' || (lower !== 'user-agent' && lower !== 'accept');
}

/** CR, LF or NUL would end the header early; beyond Latin-1 cannot be sent as one byte. */
function safeValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x0a || code === 0x0d || code === 0 || code > 0xff) return false;
  }
  return true;
}
