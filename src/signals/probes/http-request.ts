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

export function buildRequest({ method, url, headers, body }: RequestLine): Buffer {
  const given = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  if (!given.has('host')) head += `Host: ${url.host}\r\n`;
  if (!given.has('user-agent')) head += 'User-Agent: mend-probe\r\n';
  if (!given.has('accept')) head += 'Accept: */*\r\n';
  if (!given.has('authorization') && (url.username !== '' || url.password !== '')) {
    const userinfo = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    head += `Authorization: Basic ${Buffer.from(userinfo).toString('base64')}\r\n`;
  }
  head += 'Connection: close\r\n';
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'connection' && name.toLowerCase() !== 'content-length') {
      head += `${name}: ${value}\r\n`;
    }
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

/** CR, LF or NUL would end the header early; beyond Latin-1 cannot be sent as one byte. */
function safeValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x0a || code === 0x0d || code === 0 || code > 0xff) return false;
  }
  return true;
}
