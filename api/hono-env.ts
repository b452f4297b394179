/** The per-request values middleware hands to routes (Hono `c.get`/`c.set`). */
export interface AppEnv {
  Variables: {
    /** Echoed in `X-Request-Id`, every log line and problem `instance`. */
    requestId: string;
    /** Who is calling, for limits and logs: `key:<hash prefix>` or `addr:<ip>`; never a key itself. */
    client: string;
    /** The request body, read once under the size limit by `bodyLimit`. */
    body: Uint8Array;
    /** Set by routes whose body is generated or streamed: limits and logs then wait for the body's end. */
    streaming: boolean;
  };
}
