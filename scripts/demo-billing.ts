/**
 * Writes examples/demo/billing-focus.csv: seven weeks of an AI team's cloud bill in FOCUS 1.0
 * (made here from a seeded model, not copied from anyone's bill), ending mid-October so the demo
 * budget has a month to forecast. Re-running it writes the same bytes.
 *   npx tsx scripts/demo-billing.ts
 */
import { writeFileSync } from 'node:fs';
import { demoBill, focusCsv } from '../test/fixtures/focus.js';

writeFileSync(new URL('../examples/demo/billing-focus.csv', import.meta.url), focusCsv(demoBill({ from: '2026-09-01', days: 48, seed: 2026 })));
