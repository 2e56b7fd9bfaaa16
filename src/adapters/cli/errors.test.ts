import { describe, expect, it } from 'vitest';
import { StoreError } from '../store/session.js';
import { renderError } from './errors.js';

describe('renderError: store failures a person can act on', () => {
  // What DuckDB 1.5 said on a full disk (a 4 MB tmpfs workspace): at the WAL write of a commit,
  // and when a large ingest's transaction spilled to the temporary file beside the database.
  const full = [
    'TransactionContext Error: Failed to commit: Could not write file "/w/penny.duckdb.wal": No space left on device',
    "TransactionContext Error: Failed to commit: failed to offload data block of size 256.0 KiB (1.5 MiB/1.7 MiB used).\nThis limit was set by the 'max_temp_directory_size' setting.\nBy default, this setting utilizes the available disk space on the drive where the 'temp_directory' is located.\n\nPossible solutions:\n* Increasing the memory limit (SET memory_limit='...GB')",
    // PostgreSQL's words when its data disk is full.
    'could not extend file "base/16384/16397": No space left on device',
  ];
  it.each(full)('a full disk says so, that the failed write was not kept, and what to do: %#', (message) => {
    const r = renderError(new StoreError(message, 'COMMIT'));
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/^error: the disk holding the workspace database is full/);
    expect(r.text).toMatch(/not kept/);
    expect(r.text).toMatch(/To fix: free space/);
    // Not DuckDB's tuning advice, which does not help here.
    expect(r.text).not.toMatch(/memory limit|SET threads/i);
  });

  it('other store errors keep their own words', () => {
    expect(renderError(new StoreError('Constraint Error: boom', 'INSERT')).text).toMatch(/^error: store: Constraint Error: boom/);
  });
});
