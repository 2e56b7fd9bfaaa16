/**
 * A large JSON body as the routes that read it on a parse thread take it (serving, forecasts,
 * runs): decoded, refused past MAX_NESTING levels, parsed, then checked against the route's schema
 * with the field paths the server's own check gives. One place, so the three answer alike.
 */
import type { ValidateFunction } from 'ajv';
import { InvalidInput } from '../../core/errors.js';
import { jsonTextDepth, MAX_NESTING } from './limits.js';
import { validationProblem } from './problem.js';

/** A body the route cannot read as JSON: the 400 the server's JSON parser answers. */
export interface UnreadableBody {
  unreadable: string;
}

export function readJsonBody(raw: Uint8Array | string, check: ValidateFunction): { value: unknown } | UnreadableBody {
  const text = typeof raw === 'string' ? raw : new TextDecoder('utf-8', { fatal: false }).decode(raw);
  if (jsonTextDepth(text) > MAX_NESTING) throw new InvalidInput(`request body: JSON nested more than ${MAX_NESTING} levels deep`, [{ path: '', message: `nesting deeper than ${MAX_NESTING} levels` }], 'Penny documents are a few levels deep.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { unreadable: `Body is not valid JSON but content-type is set to 'application/json': ${(e as Error).message}` };
  }
  if (!check(value)) {
    const p = validationProblem('body', check.errors ?? []);
    throw new InvalidInput(p.detail, p.issues);
  }
  return { value };
}
