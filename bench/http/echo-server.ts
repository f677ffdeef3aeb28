/**
 * The baseline: a bare Fastify server that parses the JSON body and answers 200, nothing else.
 * Usage: tsx bench/http/echo-server.ts PORT
 */
import { fastify } from 'fastify';

const app = fastify({ bodyLimit: 8 * 1024 * 1024 });
app.get('/ready', async () => ({ ok: true }));
app.post('/*', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
