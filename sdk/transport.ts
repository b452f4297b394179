/**
 * The openapi-fetch client every SDK call goes through: base URL, bearer key, and the contract's query
 * style (`classes` comma-separated). Types flow from the generated `paths`.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.js';

/** Where the server is and how to reach it. */
export interface GoeClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` when the server runs with `GOE_API_KEYS`. */
  apiKey?: string;
  /** A fetch of your own (tests, proxies, instrumentation); default the global `fetch`. */
  fetch?: (request: Request) => Promise<Response>;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

/** The typed openapi-fetch client of the goe contract. */
export type GoeTransport = Client<paths>;

/** Builds the openapi-fetch client; throws `TypeError` for a base URL that is not http(s) (misuse). */
export function createTransport(options: GoeClientOptions): GoeTransport {
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new TypeError(`baseUrl must be an absolute http(s) URL, got "${options.baseUrl}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`baseUrl must be an http(s) URL, got "${options.baseUrl}"`);
  }
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey) headers.Authorization = `Bearer ${options.apiKey}`;
  const custom = options.fetch;
  return createClient<paths>({
    baseUrl: options.baseUrl,
    headers,
    // Looked up per call, not captured now: a fetch patched later (msw, instrumentation) still applies.
    fetch: custom ?? ((request: Request) => globalThis.fetch(request)),
    // The contract's GET /outliers takes `classes` in form style without explode: `classes=Sandal,Bag`.
    querySerializer: { array: { style: 'form', explode: false } },
  });
}
