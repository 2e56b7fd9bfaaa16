/** How errors reach a person on the terminal: one message, one line per problem, what to do. */
import { CommanderError } from 'commander';
import { Infeasible, InvalidInput, PennyError, formatIssue } from '../../core/errors.js';
import { StoreError } from '../store/session.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

export function renderError(e: unknown): { text: string; code: number } {
  if (e instanceof InvalidInput) {
    const lines = [`error: ${e.message}`];
    for (const issue of e.issues) lines.push(`  ${formatIssue(issue)}`);
    if (e.hint) lines.push(`To fix: ${e.hint}`);
    return { text: lines.join('\n'), code: EXIT_BAD_INPUT };
  }
  if (e instanceof Infeasible) {
    const lines = [`error: ${e.message}`, ...e.detail.map((d) => `  ${d}`)];
    if (e.hint) lines.push(`To fix: ${e.hint}`);
    return { text: lines.join('\n'), code: EXIT_BAD_INPUT };
  }
  if (e instanceof PennyError) {
    return { text: `error: ${e.message}${e.hint ? `\nTo fix: ${e.hint}` : ''}`, code: e.code === 'not-found' ? EXIT_BAD_INPUT : EXIT_FAILURE };
  }
  if (e instanceof CommanderError) {
    return { text: '', code: e.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT };
  }
  if (e instanceof StoreError && /No space left on device|failed to offload data block|max_temp_directory_size/i.test(e.message)) {
    // DuckDB's own advice here (raise the memory limit, fewer threads) does not help a full disk.
    const where = /"([^"]+)"/.exec(e.message)?.[1];
    return {
      text: `error: the disk holding the workspace database is full${where ? ` (writing ${where})` : ''}
The write that failed was not kept (it is one transaction); what was committed before it is intact.
To fix: free space on that disk, or move the workspace folder to a larger one (--workspace), then run the command again.`,
      code: EXIT_FAILURE,
    };
  }
  if (e instanceof StoreError) {
    // DuckDB's words for a file another process holds (not PostgreSQL's "deadlock detected").
    const busy = /Could not set lock|Conflicting lock/i.test(e.message);
    return {
      text: busy
        ? `error: the workspace database is in use by another Penny process\nTo fix: stop the other process (penny serve? while it runs, most commands go through it, but this one needs the workspace to itself: docs/cli.md), use --workspace to pick another folder, or share a PostgreSQL database (--database postgres://…).`
        : `error: store: ${e.message}`,
      code: EXIT_FAILURE,
    };
  }
  // A file the user named that cannot be read is bad input, whichever command reads it: say which
  // file and why, not Node's raw "ENOENT: no such file or directory, open …" with exit 1.
  const fsErr = e as NodeJS.ErrnoException;
  const why = { ENOENT: 'no such file or folder', EACCES: 'permission denied', EISDIR: 'a folder where a file was expected', ENOTDIR: 'a path through something that is not a folder' }[fsErr?.code ?? ''];
  if (why && typeof fsErr.path === 'string') {
    return { text: `error: ${fsErr.path}: ${why}\nTo fix: check the path (relative paths start from ${process.cwd()}).`, code: EXIT_BAD_INPUT };
  }
  const err = e as Error;
  return { text: `error: ${err?.message ?? String(e)}${process.env.PENNY_DEBUG ? `\n${err?.stack}` : '\n(set PENNY_DEBUG=1 for a stack trace)'}`, code: EXIT_FAILURE };
}
