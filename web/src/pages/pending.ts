/**
 * Pages whose API is not in this build yet say so plainly (no sample data is ever shown) and
 * point at the CLI command that does the job today.
 */
import { emptyState, h } from '../dom.js';

export function pending(title: string, cli: string) {
  return async (root: HTMLElement): Promise<void> => {
    root.append(h(`<h1>${title}</h1>`));
    root.append(emptyState(`${title} is not available in the dashboard of this build yet`, `Use the command line meanwhile: ${cli}`));
  };
}
