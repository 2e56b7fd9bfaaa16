/**
 * Typed errors of the core. Adapters decide how each is shown: the CLI prints one line per issue
 * and exits 2 for bad input; HTTP answers with RFC 9457 problem details.
 */

/** One problem with an input: where it is and what was expected. */
export interface Issue {
  /** Field path in the input, e.g. `resources[3].powerW`; empty for the whole input. */
  path: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  expected?: string;
  found?: string;
}

export abstract class PennyError extends Error {
  abstract readonly code: string;
  /** What the user should do about it, one sentence. */
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** The input is wrong; nothing was done. CLI exit 2, HTTP 400/422. */
export class InvalidInput extends PennyError {
  readonly code = 'invalid-input';
  readonly issues: Issue[];
  constructor(message: string, issues: Issue[] = [], hint?: string) {
    super(message, hint);
    this.issues = issues;
  }
}

export class NotFound extends PennyError {
  readonly code = 'not-found';
}

export class Conflict extends PennyError {
  readonly code = 'conflict';
}

/** A model has no solution; `detail` says what cannot be met and what to change. */
export class Infeasible extends PennyError {
  readonly code = 'infeasible';
  readonly detail: string[];
  constructor(message: string, detail: string[] = [], hint?: string) {
    super(message, hint);
    this.detail = detail;
  }
}

export class Unbounded extends PennyError {
  readonly code = 'unbounded';
}

/** Where an issue is, as people read it: `file:line:col resources[3].powerW`. */
export function formatIssue(issue: Issue): string {
  const where = [issue.file, issue.line, issue.column].filter((x) => x !== undefined).join(':');
  const field = issue.path ? `${issue.path}: ` : '';
  const parts = [issue.message];
  if (issue.expected) parts.push(`expected ${issue.expected}`);
  if (issue.found !== undefined) parts.push(`found ${issue.found}`);
  return `${where ? `${where}: ` : ''}${field}${parts.join('; ')}`;
}
