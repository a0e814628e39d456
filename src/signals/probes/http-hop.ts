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

/**
 * Which redirects a probe follows. `same-host` is kubelet's rule (RedirectChecker with
 * followNonLocalRedirects false): a redirect to the configured URL's host name, whatever its
 * port or scheme, is followed; one to another host is not, and is judged as the answer.
 */
export type RedirectPolicy = 'same-host' | 'any-host' | 'none';

/** As kubelet (Go's http.Client) stops: the 11th redirect is an error. */
export const MAX_REDIRECTS = 10;

/** What every hop of one check shares. */
export interface HopDefaults {
  /** The check's TLS context, made on first use (an http: check may be redirected to https:). */
  secureContext: () => SecureContext;
  verify: boolean;
  /** tls.serverName; it applies to the configured host only, not to where redirects lead. */
  serverName: string | undefined;
  configuredHost: string;
  redirects: RedirectPolicy;
  /** How much of an answer's body to read, given the URL it answers. */
  plan: (head: ResponseHead, url: URL) => BodyPlan;
}

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Where a redirect answer leads under the check's policy: a URL to follow, or why it is not
 * followed (then the answer itself is judged), or an error (a Location that cannot be followed).
 * Undefined when the answer is not a redirect with a Location.
 */
export type RedirectTarget = { follow: URL } | { notFollowed: string } | { error: string };

export function redirectTarget(
  defaults: HopDefaults,
  from: URL,
  head: ResponseHead,
): RedirectTarget | undefined {
  if (!REDIRECT_STATUSES.has(head.status) || head.location === undefined) return undefined;
  const location = head.location;
  if (defaults.redirects === 'none') {
    return { notFollowed: `to ${location}, not followed (followRedirects: false)` };
  }
  let url: URL;
  try {
    url = new URL(location, from);
  } catch {
    return { error: `status ${head.status} to a Location that is not a URL: ${quote(location)}` };
  }
  url.hash = '';
  if (defaults.redirects === 'same-host' && hostOf(url) !== defaults.configuredHost) {
    return { notFollowed: `to another host (${url.href}), not followed` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      error: `status ${head.status} to ${quote(url.href)}: only http and https are followed`,
    };
  }
  return { follow: url };
}

function quote(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

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
  const tls = https
    ? {
        secureContext: defaults.secureContext(),
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
    plan: (head) => defaults.plan(head, url),
  };
}

/** The hop after a redirect answer whose target the policy follows. */
export function redirectHop(defaults: HopDefaults, hop: Hop, status: number, url: URL): Hop {
  // As browsers do: 303 always, and 301/302 after a POST, continue as GET without the body.
  const toGet =
    hop.method !== 'HEAD' &&
    (status === 303 || ((status === 301 || status === 302) && hop.method === 'POST'));
  const method = toGet ? 'GET' : hop.method;
  const headers = url.origin === hop.url.origin ? hop.headers : forAnotherOrigin(hop.headers);
  return compileHop(defaults, url, method, headers, toGet ? undefined : hop.body);
}

/**
 * Credentials meant for one origin are not sent to another that a redirect points at, nor is a
 * configured Host header: it names the first server, and sent to another it would ask that one
 * for a site it may not serve (Go's client, and so kubelet, keeps it only for a relative Location).
 */
function forAnotherOrigin(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!ORIGIN_BOUND.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
}

const ORIGIN_BOUND = new Set(['authorization', 'cookie', 'proxy-authorization', 'host']);
