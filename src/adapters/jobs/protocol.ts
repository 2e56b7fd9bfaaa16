/** Messages between the job pool and its threads, and errors carried across as plain data. */
import { Conflict, Infeasible, InvalidInput, NotFound, PennyError, Unbounded } from '../../core/errors.js';

export interface ToWorker {
  id: number;
  task: string;
  input: unknown;
}

export interface WorkerProgress {
  done: number;
  total: number;
  label: string;
}

export type FromWorker =
  | { id: number; type: 'progress'; progress: WorkerProgress }
  | { id: number; type: 'done'; output: unknown }
  | { id: number; type: 'error'; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  hint?: string;
  issues?: unknown[];
  detail?: string[];
}

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const x = e as Error & Partial<{ hint: string; issues: unknown[]; detail: string[] }>;
  return {
    name: e.name,
    message: e.message,
    ...(e.stack && { stack: e.stack }),
    ...(x.hint !== undefined && { hint: x.hint }),
    ...(Array.isArray(x.issues) && { issues: x.issues }),
    ...(Array.isArray(x.detail) && { detail: x.detail }),
  };
}

/** The typed error again on this side, so the HTTP adapter answers as if it had run here. */
export function deserializeError(s: SerializedError): Error {
  let e: Error;
  switch (s.name) {
    case 'InvalidInput':
      e = new InvalidInput(s.message, (s.issues ?? []) as never, s.hint);
      break;
    case 'Infeasible':
      e = new Infeasible(s.message, s.detail ?? [], s.hint);
      break;
    case 'NotFound':
      e = new NotFound(s.message, s.hint);
      break;
    case 'Conflict':
      e = new Conflict(s.message, s.hint);
      break;
    case 'Unbounded':
      e = new Unbounded(s.message, s.hint);
      break;
    default:
      e = new Error(s.message);
      e.name = s.name;
  }
  if (s.stack) e.stack = s.stack;
  return e satisfies Error | PennyError;
}
