/**
 * A JSON body kept as bytes for a parse thread (POST /api/serving, /api/forecasts, /api/runs):
 * bodies of tens of MiB take seconds to parse and validate, which on the event loop would stall
 * every other request.
 */
import { PayloadTooLarge } from './problem.js';

/** The most a declared Content-Length reserves before its bytes arrive. */
const PREALLOCATE_BYTES = 8 * 1024 * 1024;

/**
 * The body's bytes in one ArrayBuffer of its own, filled chunk by chunk as they arrive (one small
 * copy each, spread over the upload), so the whole can be moved to a parse thread at no cost:
 * Fastify's own reader would concatenate tens of MiB at the end, and posting them would copy them
 * again, both on this loop. Bodies without a length (chunked) grow by doubling.
 */
export function readRawBody(payload: NodeJS.ReadableStream, contentLength: string | undefined, limit: number, hint?: string): Promise<Uint8Array> {
  const tooLarge = () => new PayloadTooLarge(`request body: over the limit of ${limit} bytes`, hint);
  const declared = contentLength === undefined ? NaN : Number(contentLength);
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    // A declared length is believed only up to PREALLOCATE_BYTES: a client that declares 128 MiB
    // and sends nothing holds no more than that; past it the buffer doubles as bytes arrive.
    const most = Number.isFinite(declared) ? declared : limit;
    let buf = new Uint8Array(new ArrayBuffer(Number.isFinite(declared) ? Math.min(declared, PREALLOCATE_BYTES) : 64 * 1024));
    let n = 0;
    const fail = (e: Error) => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', fail);
      reject(e);
    };
    const onData = (chunk: Buffer | string) => {
      const c = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (n + c.length > limit) return fail(tooLarge());
      if (n + c.length > most) return fail(Object.assign(new Error('request body: longer than its Content-Length'), { statusCode: 400 }));
      if (n + c.length > buf.length) {
        const grown = new Uint8Array(new ArrayBuffer(Math.min(most, Math.max(buf.length * 2, n + c.length))));
        grown.set(buf.subarray(0, n));
        buf = grown;
      }
      buf.set(c, n);
      n += c.length;
    };
    const onEnd = () => {
      payload.removeListener('data', onData);
      payload.removeListener('error', fail);
      if (Number.isFinite(declared) && n !== declared) return reject(Object.assign(new Error('request body: shorter than its Content-Length'), { statusCode: 400 }));
      // A copy only when the buffer is larger than the body (a chunked body's last doubling).
      resolve(n === buf.length ? buf : buf.slice(0, n));
    };
    payload.on('data', onData);
    payload.once('end', onEnd);
    payload.once('error', fail);
    payload.resume();
  });
}
