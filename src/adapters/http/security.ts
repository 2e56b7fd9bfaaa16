/** Token checks, loopback detection and path confinement for the HTTP server. */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { isAbsolute, relative, resolve } from 'node:path';
import { InvalidInput } from '../../core/errors.js';

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison; hashing first makes the lengths equal without leaking them. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Resolve `rel` inside `root`, refusing anything that would land outside it. */
export function confine(root: string, rel: string): string {
  const full = resolve(root, rel);
  const r = relative(resolve(root), full);
  if (r === '' || r.startsWith('..') || isAbsolute(r) || rel.includes('\0')) {
    throw new InvalidInput(`path ${JSON.stringify(rel)} is outside the workspace`, [{ path: 'path', message: 'outside the workspace' }], 'Name a file inside the workspace.');
  }
  return full;
}
