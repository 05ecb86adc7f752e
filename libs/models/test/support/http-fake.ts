import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Never answer (the socket stays open until the server closes). */
  hang?: boolean;
}

/**
 * A tiny HTTP server on 127.0.0.1 standing in for a model provider: it records each request
 * and plays the answers queued with `answer()` (the last one repeats).
 */
export interface HttpFake {
  url: string;
  requests: RecordedRequest[];
  answer(...answers: FakeAnswer[]): void;
  close(): Promise<void>;
}

export async function startHttpFake(): Promise<HttpFake> {
  const requests: RecordedRequest[] = [];
  let queue: FakeAnswer[] = [{ status: 500, body: { error: { message: 'no answer queued' } } }];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
      });
      const next = queue.length > 1 ? queue.shift()! : queue[0]!;
      if (next.hang) return;
      res.writeHead(next.status ?? 200, {
        'content-type': 'application/json',
        ...next.headers,
      });
      res.end(JSON.stringify(next.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (...answers) => {
      queue = answers;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An address where nothing listens: a port just released by a server. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
