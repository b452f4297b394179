// Minimal types for `s3rver` (it ships none): only what test/helpers/s3rver.ts uses.
declare module 's3rver' {
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    serviceEndpoint?: string;
    configureBuckets?: Array<{ name: string; configs?: Array<string | Uint8Array> }>;
  }

  export default class S3rver {
    constructor(options?: S3rverOptions);
    /** Creates `configureBuckets`, then listens; resolves with the bound address. */
    run(): Promise<AddressInfo>;
    /** Proxies `httpServer.close()`: resolves once every connection has ended. */
    close(): Promise<void>;
    reset(): void;
    httpServer?: Server;
  }
}
