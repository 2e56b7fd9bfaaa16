/** The TelemetryIo the use cases need, made of this folder's importers. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { TelemetryIo } from '../../app/telemetry.js';
import { readNvidiaSmiCsv } from './nvidia-smi.js';
import { readPrometheusDcgm } from './prometheus-dcgm.js';

export const telemetryIo: TelemetryIo = {
  async hashFile(path) {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
    return h.digest('hex');
  },
  readNvidiaSmi: (path, opts) => readNvidiaSmiCsv(path, opts),
  readPrometheus: (url, range, onChunk) => readPrometheusDcgm(url, range, onChunk ? { onChunk } : {}),
};
