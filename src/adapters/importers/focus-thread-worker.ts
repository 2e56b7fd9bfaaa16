/** The thread of focus-thread.ts: openFocus on its file, batches sent as the reader asks. */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../jobs/protocol.js';
import { openFocus } from './focus.js';
import { THREAD_BATCH_ROWS, type FromFocusThread, type ToFocusThread } from './focus-thread.js';

const port = parentPort!;
const post = (m: FromFocusThread) => port.postMessage(m);
let credits = 0;
let granted: (() => void) | undefined;
port.on('message', (m: ToFocusThread) => {
  if (m.t === 'more') {
    credits++;
    granted?.();
  }
});
const credit = async () => {
  while (credits === 0) await new Promise<void>((resolve) => (granted = resolve));
  granted = undefined;
  credits--;
};

try {
  const reader = await openFocus((workerData as { path: string }).path);
  post({ t: 'header', header: reader.header, format: reader.format, ...(reader.mapping && { mapping: reader.mapping }) });
  let sentNotes = 0;
  let read = 0;
  let total = 0;
  for await (const batch of reader.batches((r, t) => {
    read = r;
    total = t;
  })) {
    for (let i = 0; i < batch.length; i += THREAD_BATCH_ROWS) {
      await credit();
      const notes = reader.notes.slice(sentNotes);
      sentNotes = reader.notes.length;
      post({ t: 'batch', rows: JSON.stringify(batch.length <= THREAD_BATCH_ROWS ? batch : batch.slice(i, i + THREAD_BATCH_ROWS)), notes, read, total });
    }
  }
  post({ t: 'end', contentHash: reader.contentHash(), notes: reader.notes.slice(sentNotes), warnings: reader.warnings });
} catch (e) {
  post({ t: 'error', error: serializeError(e) });
}
// The thread stays until the reader terminates it: closing the port here could drop the last message.
