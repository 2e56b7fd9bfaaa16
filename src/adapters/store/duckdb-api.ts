/**
 * @duckdb/node-api, loaded with `require`. An ESM `import` of this CommonJS package makes Node run
 * its export scanner (cjs-module-lexer) over every file the package re-exports: about 0.5 s of CPU
 * on each command that opens a workspace, a third of a `penny report`. `require` skips the scan;
 * the types still come from the package.
 */
import { createRequire } from 'node:module';
import type * as DuckDbApi from '@duckdb/node-api';

export const duckdbApi = createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDbApi;
export type { DuckDBAppender, DuckDBConnection, DuckDBInstance, DuckDBType } from '@duckdb/node-api';
