import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readRawBody } from './serving.js';

/** A stream that sends `chunks` and ends. */
const body = (chunks: Uint8Array[]) => Readable.from(chunks.map((c) => Buffer.from(c)), { objectMode: false });
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('readRawBody: the serving body as bytes, for a parse thread', () => {
  it('reads a body larger than the preallocation in pieces, byte for byte', async () => {
    // 9 MiB declared and sent in 1 MiB pieces: more than the 8 MiB reserved before bytes arrive.
    const pieces = Array.from({ length: 9 }, (_, k) => bytes(1 << 20, k + 1));
    const got = await readRawBody(body(pieces), String(9 << 20), 128 << 20);
    expect(got.byteLength).toBe(9 << 20);
    for (let k = 0; k < 9; k++) expect([got[k << 20], got[((k + 1) << 20) - 1]]).toEqual([k + 1, k + 1]);
  });

  it('reads a chunked body (no length), growing as it comes', async () => {
    const got = await readRawBody(body([bytes(100_000, 7), bytes(50_000, 8)]), undefined, 1 << 20);
    expect(got.byteLength).toBe(150_000);
    expect([got[0], got[99_999], got[100_000], got[149_999]]).toEqual([7, 7, 8, 8]);
  });

  it('refuses a body that is shorter or longer than it declared, or over the limit', async () => {
    await expect(readRawBody(body([bytes(10, 1)]), String(100 << 20), 128 << 20)).rejects.toMatchObject({ statusCode: 400, message: /shorter than its Content-Length/ });
    await expect(readRawBody(body([bytes(20, 1)]), '10', 1 << 20)).rejects.toMatchObject({ statusCode: 400, message: /longer than its Content-Length/ });
    await expect(readRawBody(body([bytes(10, 1)]), String(2 << 20), 1 << 20)).rejects.toMatchObject({ status: 413 });
    await expect(readRawBody(body([bytes(600_000, 1), bytes(600_000, 1)]), undefined, 1 << 20)).rejects.toMatchObject({ status: 413 });
  });
});
