/**
 * A FOCUS export read on a thread of its own: the parse, the checks and the content hash (most of
 * an ingest's CPU) run off the event loop, so a server stays responsive during a large upload. The
 * reader is the same FocusReader as openFocus's: the thread runs openFocus itself, so both paths
 * give the same rows, notes, hash and errors.
 *
 * Flow control: the thread sends a batch only when the reader has allowed it (AHEAD batches
 * ahead), so memory stays flat however large the file is.
 */
import { statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { FocusRow } from '../../core/billing/focus.js';
import { deserializeError, type SerializedError } from '../jobs/protocol.js';
import { startThread, threadEntry } from '../jobs/pool.js';
import { fileSha256, openFocus, type FocusReader } from './focus.js';
import { sniffText } from './csv.js';

/** Messages from the reading thread. */
export type FromFocusThread =
  | { t: 'header'; header: string[]; format: FocusReader['format']; mapping?: FocusReader['mapping'] }
  | { t: 'batch'; rows: string; notes: string[]; read: number; total: number }
  | { t: 'end'; contentHash: string; notes: string[]; warnings: string[] }
  | { t: 'error'; error: SerializedError };

/** Messages to it: `more` allows one more batch. */
export type ToFocusThread = { t: 'more' };

/** Rows per message (sent as JSON text): parsing this many costs the event loop a few milliseconds. */
export const THREAD_BATCH_ROWS = 500;
/** Batches the thread may have sent ahead of the reader. */
const AHEAD = 8;

/** Files from this size are read on a thread; below it a thread's start costs more than it saves. */
const THREAD_MIN_BYTES = 1 << 20;

export async function openFocusOnThread(path: string): Promise<FocusReader> {
  const w = startThread(threadEntry(import.meta.url, 'focus-thread-worker'), { path });
  // A reader that is dropped without close() must not keep the process alive.
  w.unref();
  // Messages queue here until the reader takes them; `wake` resolves the reader's wait.
  const inbox: FromFocusThread[] = [];
  let wake: (() => void) | undefined;
  let exited: Error | undefined;
  w.on('message', (m: FromFocusThread) => {
    inbox.push(m);
    wake?.();
  });
  w.on('error', (e) => {
    exited = e;
    wake?.();
  });
  w.on('exit', (code) => {
    exited ??= code === 0 ? undefined : new Error(`the FOCUS reading thread stopped (exit code ${code})`);
    wake?.();
  });
  const next = async (): Promise<FromFocusThread> => {
    for (;;) {
      const m = inbox.shift();
      if (m) return m;
      if (exited) throw exited;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  };
  const stop = () => void w.terminate();
  const first = await next().catch((e: unknown) => {
    stop();
    throw e;
  });
  if (first.t === 'error') {
    stop();
    throw deserializeError(first.error);
  }
  if (first.t !== 'header') {
    stop();
    throw new Error(`the FOCUS reading thread sent ${first.t} before the header`);
  }
  const notes: string[] = [];
  const warnings: string[] = [];
  let hash: string | undefined;
  async function* batches(onBytes?: (read: number, total: number) => void): AsyncGenerator<FocusRow[]> {
    try {
      for (let i = 0; i < AHEAD; i++) w.postMessage({ t: 'more' } satisfies ToFocusThread);
      for (;;) {
        const m = await next();
        if (m.t === 'error') throw deserializeError(m.error);
        if (m.t === 'end') {
          notes.push(...m.notes);
          warnings.push(...m.warnings);
          hash = m.contentHash;
          return;
        }
        if (m.t !== 'batch') throw new Error(`the FOCUS reading thread sent ${m.t} inside the rows`);
        notes.push(...m.notes);
        if (m.total > 0) onBytes?.(m.read, m.total);
        w.postMessage({ t: 'more' } satisfies ToFocusThread);
        yield JSON.parse(m.rows) as FocusRow[];
      }
    } finally {
      // Done, failed, or the reader stopped early (its transaction failed): the thread goes.
      stop();
    }
  }
  const contentHash = () => {
    if (hash === undefined) throw new Error('contentHash() before every batch was read');
    return hash;
  };
  return { header: first.header, format: first.format, ...(first.mapping && { mapping: first.mapping }), batches, notes, warnings, contentHash, close: stop };
}

/**
 * An export as the ingest use case reads it: its hash (the idempotence key) and a reader. `thread`:
 * read on a thread (a server, for files of THREAD_MIN_BYTES and more, keeps its event loop free);
 * a CLI reads on its own thread of control, where a thread's start-up costs more than it saves.
 */
export async function focusSource(path: string, opts: { thread?: boolean | 'when-large' } = {}): Promise<{ sha256: string; open: () => Promise<FocusReader> }> {
  // Before hashing: a 2 GB binary file is refused from its first bytes, not after reading it all.
  await sniffText(path, 'a FOCUS export (CSV, gzip-compressed CSV or Parquet)');
  const thread = opts.thread === 'when-large' ? statSync(path).size >= THREAD_MIN_BYTES : opts.thread === true;
  return { sha256: await fileSha256(path), open: () => (thread ? openFocusOnThread(path) : openFocus(path)) };
}
