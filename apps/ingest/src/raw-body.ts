import type { FastifyRequest } from 'fastify';

/**
 * The exact bytes of a JSON body on a Fastify route (the signature covers them); empty when there was none.
 * ingest-http.ts installs the parser that keeps them as a Buffer; this lives apart from it so that the guard
 * reading the bytes does not import the HTTP set-up, which imports the use cases that use the guard.
 */
export function rawBodyOf(req: FastifyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}
