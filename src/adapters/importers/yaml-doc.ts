/**
 * YAML (and JSON, which YAML reads too) with positions: parse, keep every number's source text so
 * decimals stay exact, and map a schema issue's path back to a line and column.
 */
import YAML, { LineCounter, isScalar, isMap, type Document } from 'yaml';
import type { z } from 'zod';
import { InvalidInput, type Issue } from '../../core/errors.js';

export interface ParsedYaml {
  value: unknown;
  locate(path: PropertyKey[]): { line: number; column: number } | undefined;
}

export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // The library's own duplicate-key check compares every pair of keys (a 250 KB flat map took 14 s
  // on a busy machine); the check below does the same in one pass.
  const doc = YAML.parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true });
  if (doc.errors.length === 0) duplicateKeys(doc);
  if (doc.errors.length > 0) {
    const issues: Issue[] = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return { path: '', file, line: pos.line, column: pos.col, message: `not valid YAML or JSON: ${e.message.split('\n')[0]}` };
    });
    throw new InvalidInput(`${file}: not valid YAML or JSON`, issues, 'Fix the syntax at the line shown.');
  }
  // Numbers keep their source text: 0.1 + 0.2 must be 0.3 in money, and a 20-digit decimal must
  // not be squeezed through a double on the way in.
  YAML.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && node.source !== undefined && /^[+-]?(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?$/.test(node.source)) {
        node.value = node.source.replace(/_/g, '') as unknown as number;
      }
    },
  });
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // Alias expansion past the limit (a "billion laughs" document) or a cycle; not a server fault.
    throw new InvalidInput(`${file}: ${(e as Error).message}`, [{ path: '', file, message: `aliases expand too far (at most ${MAX_ALIAS_COUNT} per document)` }], 'Write the values out instead of repeating aliases.');
  }
  return { value, locate: (path) => locate(doc, lineCounter, path) };
}

const MAX_ALIAS_COUNT = 100;

/** Record a duplicate key in a mapping as a document error, at the second occurrence. */
function duplicateKeys(doc: Document): void {
  YAML.visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const k = isScalar(pair.key) ? pair.key.value : pair.key;
        if (typeof k === 'object' && k !== null) continue;
        if (seen.has(k)) {
          const range = (pair.key as { range?: [number, number, number] } | null)?.range ?? [0, 0, 0];
          doc.errors.push(new YAML.YAMLParseError([range[0], range[1]], 'DUPLICATE_KEY', `Map keys must be unique; ${JSON.stringify(String(k))} is repeated`));
        }
        seen.add(k);
      }
    },
  });
}

function locate(doc: Document, lc: LineCounter, path: PropertyKey[]): { line: number; column: number } | undefined {
  // Walk up the path until a node exists: a missing field is reported at its parent.
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    const range = node && (isScalar(node) || typeof node === 'object') ? node.range : undefined;
    if (range) {
      const pos = lc.linePos(range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return undefined;
}

export function pathToString(path: PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}

/** Validate parsed YAML against a zod schema; every problem becomes an Issue with file and line. */
export function validateWith<S extends z.ZodType>(schema: S, parsed: ParsedYaml, file: string, what: string): z.output<S> {
  const result = schema.safeParse(parsed.value);
  if (result.success) return result.data;
  const issues: Issue[] = result.error.issues.map((i) => {
    const path = i.path as PropertyKey[];
    const pos = parsed.locate(path);
    let message = i.message;
    if (i.code === 'unrecognized_keys') {
      message = `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => JSON.stringify(k)).join(', ')}; check the spelling against the reference`;
      const keyPos = parsed.locate([...path, i.keys[0]!]);
      return { path: pathToString([...path, i.keys[0]!]), file, ...(keyPos && { line: keyPos.line, column: keyPos.column }), message };
    }
    if (i.code === 'invalid_type' && i.input === undefined) message = 'required field is missing';
    return { path: pathToString(path), file, ...(pos && { line: pos.line, column: pos.column }), message };
  });
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  throw new InvalidInput(`${file}: ${issues.length} problem${issues.length > 1 ? 's' : ''} in the ${what}`, issues, 'Fix the fields named above; docs/scenario.md describes each one.');
}
