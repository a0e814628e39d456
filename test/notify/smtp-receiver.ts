import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The user that authenticated, if any. */
  user?: string;
  /** Whether the session was upgraded with STARTTLS. */
  secure: boolean;
  raw: string;
}

export interface SmtpReceiver {
  port: number;
  /** The PEM of its self-signed certificate (for 127.0.0.1), to trust as caFile. */
  caFile: string;
  mails: ReceivedMail[];
  /** Sessions clients opened (each delivery attempt opens one). */
  sessions(): number;
  /** Connections a client still holds open. */
  openConnections(): number;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/** A reply the receiver refuses with: an SMTP code (4xx: try later; 5xx: never) and its text. */
export interface SmtpReply {
  code: number;
  message: string;
}

/** How the receiver misbehaves, when it does. */
export interface SmtpFaults {
  /** Answer the greeting with this reply and hang up (421: too busy). */
  refuseConnections?: SmtpReply;
  /** Refuse every recipient with this reply. */
  refuseRecipients?: SmtpReply;
  /** Never send the greeting: a server that accepted the connection and went quiet. */
  silent?: boolean;
  /** Refuse every login quoting the password it was given, as a careless server might. */
  echoPassword?: boolean;
}

/**
 * A real SMTP server (the smtp-server package) on loopback: STARTTLS with a self-signed
 * certificate made by openssl for 127.0.0.1, AUTH PLAIN/LOGIN only after STARTTLS, accepting
 * `user` with `password`; misbehaving as `faults` says.
 */
export async function startSmtpReceiver(
  credentials: { user: string; password: string },
  faults: SmtpFaults = {},
): Promise<SmtpReceiver> {
  const { key, cert, caFile } = await certificate();
  const mails: ReceivedMail[] = [];
  let sessions = 0;
  const server = new SMTPServer({
    key,
    cert,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    // Its reverse lookup of 127.0.0.1 would ask the machine's DNS server, off loopback.
    disableReverseLookup: true,
    onConnect(_session, callback) {
      sessions++;
      if (faults.silent) return;
      callback(faults.refuseConnections ? replyError(faults.refuseConnections) : null);
    },
    onAuth(auth, _session, callback) {
      if (faults.echoPassword) {
        callback(new Error(`No such login: ${auth.username} with ${auth.password}`));
      } else if (auth.username === credentials.user && auth.password === credentials.password) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('Invalid username or password'));
      }
    },
    onRcptTo(_address, _session, callback) {
      callback(faults.refuseRecipients ? replyError(faults.refuseRecipients) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
          secure: session.secure,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  const open = new Set<Socket>();
  server.server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    caFile,
    mails,
    sessions: () => sessions,
    openConnections: () => open.size,
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} mail(s), got ${mails.length}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return mails;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function replyError(reply: SmtpReply): Error {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

let made: Promise<{ key: Buffer; cert: Buffer; caFile: string }> | undefined;

/** One self-signed certificate per test process (openssl takes its time), removed at exit. */
function certificate(): Promise<{ key: Buffer; cert: Buffer; caFile: string }> {
  made ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mend-smtp-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const keyFile = join(dir, 'key.pem');
    const caFile = join(dir, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      // An EC key: made and used in a fraction of the time of an RSA one.
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      caFile,
    ]);
    return { key: await readFile(keyFile), cert: await readFile(caFile), caFile };
  })();
  return made;
}

export interface ParsedMail {
  headers: Map<string, string>;
  /** Decoded bodies by content type (text/plain, text/html). */
  parts: Map<string, string>;
}

/** Enough MIME to read what nodemailer writes: unfolded headers, multipart, QP and base64. */
export function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitHeaders(raw);
  const parts = new Map<string, string>();
  collectParts(headers, body, parts);
  return { headers, parts };
}

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(end + 4) };
}

function collectParts(headers: Map<string, string>, body: string, out: Map<string, string>): void {
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
  if (type.startsWith('multipart/') && boundary) {
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const part = splitHeaders(chunk.replace(/^\r\n/, ''));
      collectParts(part.headers, part.body, out);
    }
    return;
  }
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  const decoded =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : encoding === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
        : body;
  // SMTP carries lines as CRLF; compare text as written.
  out.set(type.split(';')[0]!.trim(), decoded.replace(/\r\n/g, '\n').replace(/\n$/, ''));
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
