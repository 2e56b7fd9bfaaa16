/**
 * Limits that keep one request from stopping or stalling the server. YAML parsing costs far more
 * per byte than JSON (and the parser recurses), so YAML text is capped much lower than a raw body
 * and its shape is checked by a linear scan before any parser sees it.
 */
import { InvalidInput } from '../../core/errors.js';
import { PayloadTooLarge } from './problem.js';

/** JSON bodies that carry a CSV (simulations) may be this large. */
export const DEFAULT_MAX_BODY = 10 * 1024 * 1024;
/** Scenario and plan documents (YAML or JSON) are a few KiB; this leaves room for inline demand. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
/** YAML text: ~256 KiB parses in well under a second even on a loaded machine. */
export const MAX_YAML_BYTES = 256 * 1024;
/** Deeper than any Penny document needs (scenario → resources → item → usage → field is 5). */
export const MAX_NESTING = 32;
/** Rough count of YAML nodes (lines plus flow-collection items): parse work grows with it, about
 * 20 µs a node on an idle core, so this bounds one parse to well under a second; a year of hourly
 * demand for two classes (17,520 numbers) still fits. */
export const MAX_YAML_NODES = 20_000;
/** Aliases expanded per document (the `yaml` library's own default, stated here). */
export const MAX_YAML_ALIASES = 100;

/**
 * Ajv's options for request bodies: never coerced, no defaults, the first error only. The server's
 * validator (server.ts) and the serving body's check on a parse thread (serving-body.ts) both use
 * them, so a body gets the same 4xx and field path on either path.
 */
export const BODY_AJV_OPTIONS = { strict: false, allErrors: false, validateFormats: false, coerceTypes: false, useDefaults: false } as const;

/** Documents up to this size are read on the event loop (a few milliseconds at most); larger
 * ones on the parse threads (documents.ts). */
export const INLINE_PARSE_BYTES = 8 * 1024;
/** A parse thread taking longer than this on one document is stopped and the request refused
 * (422): a document within the limits above takes a few seconds at most on a loaded machine. */
export const MAX_PARSE_MS = 20_000;
/** The same for a JSON body of tens of MiB (POST /api/serving, /api/forecasts, /api/runs): one
 * near its size limit takes several seconds to read on a loaded machine; this bounds a pathological one. */
export const MAX_BODY_PARSE_MS = 60_000;
/** Large documents waiting for a parse thread beyond this are refused (503, try again): each
 * holds its text in memory, and a client sending them faster than they parse only grows the queue. */
export const MAX_PARSE_QUEUE = 8;

/** Largest number of (GPU × interval) points one usage request may return. */
export const MAX_USAGE_POINTS = 20_000;
/** Shortest usage interval: telemetry is sampled every few seconds; a minute is the floor. */
export const MIN_USAGE_INTERVAL_MS = 60_000;
/** Longest usage interval: a year. */
export const MAX_USAGE_INTERVAL_MS = 366 * 24 * 3_600_000;

/** How long a client has to send a whole request (headers and body), and its headers alone. */
export const REQUEST_TIMEOUT_MS = 60_000;
export const HEADERS_TIMEOUT_MS = 15_000;
/** An idle keep-alive connection is closed after this long. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/**
 * Refuse YAML (or JSON read as YAML) that is too big, too deep or has too many nodes, before any
 * parser runs. The scan is linear and approximate on purpose: it over-counts (brackets inside
 * quoted strings count as nesting), which only errs towards refusing absurd documents.
 */
export function checkYamlShape(text: string, what: string): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_YAML_BYTES) {
    throw new PayloadTooLarge(`${what}: ${bytes} bytes of YAML is over the limit of ${MAX_YAML_BYTES} bytes`, 'Send a smaller document, or JSON (which is cheaper to read) up to the body limit.');
  }
  let flowDepth = 0;
  let maxFlow = 0;
  let nodes = 0;
  let line = 1;
  let indent = 0;
  let atLineStart = true;
  // Distinct indentation widths in use, innermost last: block nesting depth is its length.
  const indents: number[] = [];
  let maxBlock = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (atLineStart) {
      if (c === 32 || c === 45 /* '-' sequence entry indents its content */) {
        indent++;
        continue;
      }
      atLineStart = false;
      if (c !== 10 && c !== 35 /* comment */) {
        while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
        indents.push(indent);
        if (indents.length > maxBlock) maxBlock = indents.length;
      }
    }
    if (c === 10) {
      line++;
      nodes++;
      indent = 0;
      atLineStart = true;
    } else if (c === 91 || c === 123) {
      flowDepth++;
      nodes++;
      if (flowDepth > maxFlow) maxFlow = flowDepth;
    } else if (c === 93 || c === 125) {
      if (flowDepth > 0) flowDepth--;
    } else if (c === 44) {
      nodes++;
    }
    if (maxFlow + maxBlock > MAX_NESTING) {
      throw new InvalidInput(`${what}: nested more than ${MAX_NESTING} levels deep (line ${line})`, [{ path: '', file: what, line, message: `nesting deeper than ${MAX_NESTING} levels` }], 'Penny documents are a few levels deep; check the indentation and brackets.');
    }
    if (nodes > MAX_YAML_NODES) {
      throw new InvalidInput(`${what}: more than ${MAX_YAML_NODES} values`, [{ path: '', file: what, line, message: `more than ${MAX_YAML_NODES} values` }], 'Send a smaller document.');
    }
  }
}

/** Refuse a parsed JSON value nested deeper than MAX_NESTING (iterative: no recursion to overflow). */
export function checkJsonDepth(value: unknown, what: string): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_NESTING) {
      throw new InvalidInput(`${what}: nested more than ${MAX_NESTING} levels deep`, [{ path: '', file: what, message: `nesting deeper than ${MAX_NESTING} levels` }], 'Penny documents are a few levels deep.');
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}

/**
 * Nesting depth of JSON text without parsing it: JSON.parse itself is safe on deep input, but what
 * reads the value afterwards (validation, YAML round trips) may recurse.
 */
export function jsonTextDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** Media types read as YAML. text/plain is not one: browsers send it cross-site without asking. */
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];
