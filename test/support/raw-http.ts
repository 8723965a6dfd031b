import { request } from 'node:http';

/** What a raw HTTP exchange returned. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

/** A raw request's method, headers and abort signal. */
export interface RawOptions {
  method?: string;
  headers?: Record<string, string | string[]>;
  signal?: AbortSignal;
}

/**
 * One HTTP request with full control of its headers: an array value is
 * sent as repeated header lines, as some clients send `Accept`.
 */
export function rawRequest(
  url: string,
  options: RawOptions = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', signal: options.signal });
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      outgoing.setHeader(name, value);
    }
    outgoing.once('error', reject);
    outgoing.once('response', (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.once('error', reject);
      incoming.once('end', () => {
        const body = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body, json });
      });
    });
    outgoing.end();
  });
}
