/**
 * The loop of a pool thread: runs one task at a time from a TaskTable and posts progress, then the
 * result or the error. Progress is throttled here, so a tight loop in a task costs no messages.
 */
import { parentPort } from 'node:worker_threads';
import type { Progress } from '../../app/ports.js';
import type { TaskTable } from './pool.js';
import { serializeError, type FromWorker, type ToWorker } from './protocol.js';

export function serveTasks(tasks: TaskTable): void {
  const port = parentPort;
  if (!port) throw new Error('this module runs as a worker thread of a pool');
  port.on('message', async (msg: ToWorker) => {
    let state = { done: 0, total: 0, label: msg.task };
    let last = 0;
    const post = (m: FromWorker) => port.postMessage(m);
    const send = (force: boolean) => {
      const now = performance.now();
      if (!force && now - last < 100) return;
      last = now;
      post({ id: msg.id, type: 'progress', progress: state });
    };
    const progress: Progress = {
      start: (total, label) => {
        state = { done: 0, total, label };
        send(true);
      },
      tick: (done) => {
        state = { ...state, done };
        send(done >= state.total && state.total > 0);
      },
      // A new label goes out with the next tick, so label and count always travel together.
      note: (label) => {
        state = { ...state, label };
      },
      finish: () => send(true),
    };
    try {
      const task = Object.hasOwn(tasks, msg.task) ? (tasks[msg.task] as (input: unknown, p: Progress) => Promise<unknown>) : undefined;
      if (!task) throw new Error(`no task ${msg.task}`);
      const output = await task(msg.input, progress);
      post({ id: msg.id, type: 'done', output });
    } catch (e) {
      post({ id: msg.id, type: 'error', error: serializeError(e) });
    }
  });
}
