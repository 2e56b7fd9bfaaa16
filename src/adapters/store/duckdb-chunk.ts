/**
 * Rows into one reusable DuckDB data chunk, written through @duckdb/node-bindings directly: the
 * node-api's vector classes cost a wrapper per vector per chunk, a BigInt per decimal and BigInt
 * arithmetic per validity bit, which was a quarter of a large ingest's CPU. Both packages are
 * pinned to one exact version in package.json: this file relies on their vector calls.
 */
import { createRequire } from 'node:module';
import type * as Bindings from '@duckdb/node-bindings';
import { duckdbApi, type DuckDBAppender, type DuckDBType } from './duckdb-api.js';
import type { SqlValue } from './session.js';

const bindings = createRequire(import.meta.url)('@duckdb/node-bindings') as typeof Bindings;
const { DuckDBDataChunk, DuckDBTypeId } = duckdbApi;

/** Rows in a DuckDB data chunk at most (its standard vector size). */
export const CHUNK_ROWS = 2048;

/** How a column's values are written: by the table's type. */
type Kind = 'varchar' | 'int32' | 'int64' | 'bool' | 'dec16' | 'dec32' | 'dec64' | 'dec128';

const BYTES: Record<Kind, number> = { varchar: 0, int32: 4, int64: 8, bool: 1, dec16: 2, dec32: 4, dec64: 8, dec128: 16 };

function kindOf(t: DuckDBType): Kind | undefined {
  switch (t.typeId) {
    case DuckDBTypeId.VARCHAR:
      return 'varchar';
    case DuckDBTypeId.INTEGER:
      return 'int32';
    case DuckDBTypeId.BIGINT:
      return 'int64';
    case DuckDBTypeId.BOOLEAN:
      return 'bool';
    case DuckDBTypeId.DECIMAL: {
      // DuckDB stores a DECIMAL by its width: 16, 32, 64 or 128-bit integers of 10^-scale.
      const { width } = t as unknown as { width: number };
      return width <= 4 ? 'dec16' : width <= 9 ? 'dec32' : width <= 18 ? 'dec64' : 'dec128';
    }
    default:
      return undefined;
  }
}

/**
 * Digits after the point of a plain decimal text (digits, one optional leading minus, one optional
 * point with digits on both sides), or -1 when the text is not one or does not fit `width` digits
 * with `scale` after the point (leading zeros do not count).
 */
export function decimalFraction(text: string, width: number, scale: number): number {
  const n = text.length;
  let k = n > 0 && text.charCodeAt(0) === 45 ? 1 : 0; // '-'
  let point = -1;
  let intDigits = 0;
  let leading = true;
  for (; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c === 46) {
      if (point !== -1) return -1;
      point = k;
    } else if (c < 48 || c > 57) return -1;
    else if (point === -1 && !(leading && c === 48)) {
      leading = false;
      intDigits++;
    }
  }
  const start = n > 0 && text.charCodeAt(0) === 45 ? 1 : 0;
  if (n === start || point === start || point === n - 1) return -1;
  const fracDigits = point === -1 ? 0 : n - point - 1;
  return fracDigits > scale || intDigits > width - scale ? -1 : fracDigits;
}

/**
 * The scaled integer of a plain decimal text that decimalFraction accepted ("-12.5" at scale 3
 * is -12500), written at `offset` as a little-endian two's-complement integer of `bytes` bytes
 * (2, 4, 8 or 16). Exact: digits go in 9 at a time into 16-bit limbs (limb × 10^9 + carry stays
 * below 2^53), never through a binary float.
 */
export function writeScaledDecimal(view: DataView, offset: number, bytes: number, text: string, scale: number, fracDigits: number): void {
  const n = text.length;
  const negative = text.charCodeAt(0) === 45;
  const limbs = LIMBS;
  limbs.fill(0);
  // Limbs above `top` are zero: small amounts touch a few limbs, not eight.
  let top = 0;
  let acc = 0;
  let mul = 1;
  let count = 0;
  const push = () => {
    let carry = acc;
    let l = 0;
    for (; l <= top || carry !== 0; l++) {
      const t = limbs[l]! * mul + carry;
      carry = Math.floor(t / 65536);
      limbs[l] = t - carry * 65536;
    }
    top = l - 1;
    acc = 0;
    mul = 1;
    count = 0;
  };
  for (let k = negative ? 1 : 0; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c === 46) continue;
    acc = acc * 10 + (c - 48);
    mul *= 10;
    if (++count === 9) push();
  }
  for (let z = fracDigits; z < scale; z++) {
    acc *= 10;
    mul *= 10;
    if (++count === 9) push();
  }
  if (count) push();
  if (negative) {
    // Two's complement: invert, add one.
    let carry = 1;
    for (let l = 0; l < 8; l++) {
      const t = (~limbs[l]! & 0xffff) + carry;
      limbs[l] = t & 0xffff;
      carry = t >>> 16;
    }
  }
  for (let l = 0; l < bytes / 2; l++) view.setUint16(offset + 2 * l, limbs[l]!, true);
}
const LIMBS = new Float64Array(8);

/**
 * One appender's reusable chunk: a JS buffer per fixed-width column (copied into the vector when
 * the chunk is full), a validity bitmap per column, strings assigned one call each.
 */
export class ChunkWriter {
  private readonly kinds: Kind[];
  private readonly widths: { width: number; scale: number }[];
  private readonly chunk: InstanceType<typeof DuckDBDataChunk>;
  private readonly data: (DataView | undefined)[];
  private readonly validity: Uint8Array[];

  private constructor(types: DuckDBType[], kinds: Kind[]) {
    this.kinds = kinds;
    this.widths = types.map((t) => (t.typeId === DuckDBTypeId.DECIMAL ? (t as unknown as { width: number; scale: number }) : { width: 0, scale: 0 }));
    this.chunk = DuckDBDataChunk.create(types);
    this.data = kinds.map((k) => (BYTES[k] ? new DataView(new ArrayBuffer(BYTES[k] * CHUNK_ROWS)) : undefined));
    this.validity = kinds.map(() => new Uint8Array(CHUNK_ROWS / 8));
  }

  /** A writer for an appender's columns, or undefined when one of them is of a type it does not write. */
  static forTypes(types: DuckDBType[]): ChunkWriter | undefined {
    const kinds = types.map(kindOf);
    if (kinds.some((k) => k === undefined)) return undefined;
    return new ChunkWriter(types, kinds as Kind[]);
  }

  /**
   * Check that every value is plainly of its column's type (integers as safe integers in range,
   * booleans as booleans, decimals as plain text within the column's width and scale): when one
   * is not, the caller appends text for DuckDB to cast, with DuckDB's own errors. Checked before
   * anything is appended, so the two paths never mix within one call.
   */
  accepts(rows: SqlValue[][]): boolean {
    for (let c = 0; c < this.kinds.length; c++) {
      const kind = this.kinds[c]!;
      if (kind === 'varchar') continue;
      const { width, scale } = this.widths[c]!;
      for (let r = 0; r < rows.length; r++) {
        const v = rows[r]![c];
        if (v === null || v === undefined) continue;
        if (kind === 'bool') {
          if (typeof v !== 'boolean') return false;
        } else if (kind === 'int32') {
          if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < -2147483648 || v > 2147483647) return false;
        } else if (kind === 'int64') {
          if (typeof v !== 'number' || !Number.isSafeInteger(v)) return false;
        } else if (typeof v !== 'string' || decimalFraction(v, width, scale) < 0) return false;
      }
    }
    return true;
  }

  /** Append `rows` (already accepted) to `appender`, a chunk of at most CHUNK_ROWS at a time. */
  append(appender: DuckDBAppender, rows: SqlValue[][]): void {
    for (let from = 0; from < rows.length; from += CHUNK_ROWS) this.appendChunk(appender, rows, from, Math.min(CHUNK_ROWS, rows.length - from));
  }

  private appendChunk(appender: DuckDBAppender, rows: SqlValue[][], from: number, n: number): void {
    const raw = this.chunk.chunk;
    // Reset drops the previous chunk's strings (its string heap) and makes every row valid again.
    bindings.data_chunk_reset(raw);
    for (let c = 0; c < this.kinds.length; c++) {
      const kind = this.kinds[c]!;
      const vector = bindings.data_chunk_get_vector(raw, c);
      const valid = this.validity[c]!;
      valid.fill(0xff, 0, (n + 7) >>> 3);
      let nulls = false;
      const view = this.data[c];
      const { width, scale } = this.widths[c]!;
      for (let r = 0; r < n; r++) {
        const v = rows[from + r]![c];
        if (v === null || v === undefined) {
          valid[r >>> 3]! &= ~(1 << (r & 7));
          nulls = true;
          continue;
        }
        switch (kind) {
          case 'varchar':
            bindings.vector_assign_string_element(vector, r, typeof v === 'string' ? v : String(v));
            break;
          case 'int32':
            view!.setInt32(r * 4, v as number, true);
            break;
          case 'int64':
            view!.setBigInt64(r * 8, BigInt(v as number), true);
            break;
          case 'bool':
            view!.setUint8(r, v ? 1 : 0);
            break;
          default:
            writeScaledDecimal(view!, r * BYTES[kind], BYTES[kind], v as string, scale, decimalFraction(v as string, width, scale));
        }
      }
      if (view) bindings.copy_data_to_vector(vector, 0, view.buffer as ArrayBuffer, 0, n * BYTES[kind]);
      if (nulls) {
        bindings.vector_ensure_validity_writable(vector);
        bindings.copy_data_to_vector_validity(vector, 0, valid.buffer as ArrayBuffer, 0, (n + 7) >>> 3);
      }
    }
    bindings.data_chunk_set_size(raw, n);
    appender.appendDataChunk(this.chunk);
  }
}
