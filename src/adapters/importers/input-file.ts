/**
 * Reading a user's file safely: size limit before reading, empty and binary files refused with a
 * message that says so, text decoded as strict UTF-8.
 */
import { readFile, stat } from 'node:fs/promises';
import { InvalidInput } from '../../core/errors.js';

export const MAX_SCENARIO_BYTES = 10 * 1024 * 1024;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}

/** Read a whole text file, refusing what cannot be a text input before parsing it. */
export async function readTextFile(path: string, maxBytes: number, what: string): Promise<string> {
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new InvalidInput(`${path} is a directory, not a ${what} file`, [{ path: '', file: path, message: 'is a directory' }], `Name a ${what} file.`);
    size = st.size;
  } catch (e) {
    if (e instanceof InvalidInput) throw e;
    throw new InvalidInput(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, [{ path: '', file: path, message: 'file not found' }], 'Check the path.');
  }
  if (size > maxBytes) {
    throw new InvalidInput(`${path} is ${formatBytes(size)}; a ${what} file may be at most ${formatBytes(maxBytes)}`, [{ path: '', file: path, message: `file too large (${formatBytes(size)} > ${formatBytes(maxBytes)})` }], `Is this the right file? A ${what} is a small YAML or JSON document.`);
  }
  const bytes = await readFile(path);
  return decodeText(bytes, path, what);
}

export function decodeText(bytes: Uint8Array, file: string, what: string): string {
  if (bytes.length === 0 || bytes.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09)) {
    throw new InvalidInput(`${file} is empty`, [{ path: '', file, message: 'file is empty' }], `Write a ${what} in it; see docs/scenario.md.`);
  }
  const nul = bytes.indexOf(0);
  let text: string;
  try {
    if (nul >= 0) throw new Error('NUL byte');
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidInput(`${file} is not a text file (binary data${nul >= 0 ? ` at byte ${nul}` : ', not UTF-8'})`, [{ path: '', file, message: 'binary data, not UTF-8 text' }], `Give a ${what} in YAML or JSON.`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
