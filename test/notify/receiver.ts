import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the receiver got. */
export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body exactly as sent. */
  readonly raw: string;
  readonly body: any;
}

/** How the receiver answers: a status (with headers), or never ('hang'). */
export type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

/** Decides the answer to the `index`th request (0 first). */
export type Script = (request: Received, index: number) => Reply;

/**
 * A local HTTP receiver on 127.0.0.1 (a free port) that records every request and answers as
 * scripted: 200 unless told otherwise.
 */
export class Receiver {
  readonly requests: Received[] = [];
  private script: Script = () => ({ status: 200 });
  private readonly hanging: ServerResponse[] = [];

  private constructor(private readonly server: Server) {}

  static async start(port = 0): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const received: Received = {
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          raw,
          body: raw === '' ? null : JSON.parse(raw),
        };
        receiver.requests.push(received);
        receiver.answer(response, receiver.script(received, receiver.requests.length - 1));
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The URL of `path` on this receiver. */
  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  respond(script: Script): void {
    this.script = script;
  }

  /** Answers `status` to the first `count` requests, then 200. */
  failFirst(count: number, status = 503): void {
    this.script = (_request, index) => (index < count ? { status } : { status: 200 });
  }

  /** Forgets the requests so far and answers 200 again (between tests). */
  reset(): void {
    this.requests.length = 0;
    this.script = () => ({ status: 200 });
    for (const response of this.hanging.splice(0)) response.destroy();
  }

  /** The requests to one path. */
  to(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(response: ServerResponse, reply: Reply): void {
    if (reply === 'hang') {
      this.hanging.push(response);
      return;
    }
    response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    response.end(reply.body ?? '{}');
  }
}
