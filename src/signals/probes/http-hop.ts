import { isIP } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Exchange } from './http-exchange.ts';
import { buildRequest } from './http-request.ts';
import type { BodyPlan, ResponseHead } from './http-response-reader.ts';

/** One request of a probe, ready to send: the first, or one after a redirect. */
export interface Hop extends Exchange {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** What every hop of one check shares. */
export interface HopDefaults {
  /** Present when the check may speak TLS (https:, or redirects that may lead there). */
  secureContext: SecureContext | undefined;
  verify: boolean;
  /** tls.serverName; it applies to the configured host only, not to where redirects lead. */
  serverName: string | undefined;
  configuredHost: string;
  plan: (head: ResponseHead) => BodyPlan;
}

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

export function compileHop(
  defaults: HopDefaults,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Hop {
  const host = hostOf(url);
  const https = url.protocol === 'https:';
  const port = url.port === '' ? (https ? 443 : 80) : Number(url.port);
  const configured = host === defaults.configuredHost ? defaults.serverName : undefined;
  const tls =
    https && defaults.secureContext !== undefined
      ? {
          secureContext: defaults.secureContext,
          // SNI may not carry an IP; an IP literal is then matched against the IP SANs.
          servername: configured ?? (isIP(host) === 0 ? host : undefined),
          verify: defaults.verify,
        }
      : undefined;
  const request = buildRequest({ method, url, headers, body });
  return {
    url,
    method,
    headers,
    body,
    host,
    port,
    tls,
    request,
    isHeadRequest: method === 'HEAD',
    plan: defaults.plan,
  };
}

/** The hop a redirect answer points to, or undefined when it is not a redirect to follow. */
export function redirectHop(defaults: HopDefaults, hop: Hop, head: ResponseHead): Hop | undefined {
  if (!REDIRECT_STATUSES.has(head.status) || head.location === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(head.location, hop.url);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  // As browsers do: 303 always, and 301/302 after a POST, continue as GET without the body.
  const toGet =
    hop.method !== 'HEAD' &&
    (head.status === 303 ||
      ((head.status === 301 || head.status === 302) && hop.method === 'POST'));
  const method = toGet ? 'GET' : hop.method;
  const headers = url.origin === hop.url.origin ? hop.headers : withoutCredentials(hop.headers);
  return compileHop(defaults, url, method, headers, toGet ? undefined : hop.body);
}

/** Credentials meant for one origin are not sent to another that a redirect points at. */
function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower !== 'authorization' && lower !== 'cookie' && lower !== 'proxy-authorization') {
      kept[name] = value;
    }
  }
  return kept;
}
