import type { User } from './authorization.ts';
import type { ResourceType } from './resources.ts';
import type { WatchRequest } from './watch-stream.ts';

/** A request for a resource, parsed and authenticated, as the handlers see it. */
export interface ResourceRequest {
  method: string;
  verb: string;
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  body: unknown;
  contentType: string;
  accept: string | undefined;
  user: User;
}

/** What a handler answers: a JSON body, plain text (logs), or a watch to stream. */
export type ResourceResponse =
  | { code: number; body: unknown; contentType?: string }
  | { code: number; text: string }
  | { watch: Omit<WatchRequest, 'bookmarkIntervalMs' | 'cutAfterEvents' | 'expire'> };
