/** SkyPilot spot-traces JSON: {"metadata":{"gap_seconds":N},"data":[0,1,…]} → SpotTrace. */
import { basename } from 'node:path';
import { z } from 'zod';
import { InvalidInput } from '../../core/errors.js';
import type { SpotTrace } from '../../core/model/spot.js';
import { readTextFile } from './input-file.js';

const schema = z.object({
  metadata: z.object({ gap_seconds: z.number().positive() }),
  data: z.array(z.number().int().min(0)).min(1),
});

export function parseSpotTrace(text: string, file = '<spot trace>'): SpotTrace {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InvalidInput(`${file}: not JSON: ${(e as Error).message}`, [{ path: '', file, message: 'not valid JSON' }], 'A spot trace is SkyPilot spot-traces JSON: {"metadata":{"gap_seconds":N},"data":[0,1,…]}.');
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    throw new InvalidInput(
      `${file}: not a spot availability trace`,
      r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), file, message: i.message })),
      'A spot trace is SkyPilot spot-traces JSON: {"metadata":{"gap_seconds":N},"data":[0,1,…]}.',
    );
  }
  return { name: basename(file).replace(/\.json$/, ''), gapS: r.data.metadata.gap_seconds, available: r.data.data };
}

export async function readSpotTrace(path: string): Promise<SpotTrace> {
  return parseSpotTrace(await readTextFile(path, 256 * 1024 * 1024, 'spot trace'), path);
}
