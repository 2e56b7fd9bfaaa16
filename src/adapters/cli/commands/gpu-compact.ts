/** `penny gpu compact`: retention of the workspace's GPU telemetry (raw → minutes → hours). */
import type { Command } from 'commander';
import { compactTelemetry } from '../../../app/compact.js';
import { InvalidInput } from '../../../core/errors.js';
import type { CliContext } from '../context.js';
import { printJson, withWorkspace } from '../context.js';
import { num, table } from '../render.js';

function days(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidInput(`${flag} must be a number of days ≥ 0`, [{ path: flag, message: 'expected days ≥ 0', found: v }], `Example: ${flag} 7`);
  return n;
}

export function registerGpuCompact(gpu: Command, ctx: CliContext): void {
  gpu
    .command('compact')
    .description('keep raw samples N days, then roll them up per minute (count, min, mean, max) and per hour; usage and energy stay as they were')
    .option('--raw-days <n>', 'keep raw samples this many days', '7')
    .option('--minute-days <n>', 'keep minute roll-ups this many days, then hours', '90')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nWaste analysis (penny gpu waste) reads raw samples only; usage (penny gpu usage) adds the roll-ups.\n\nExample:\n  penny gpu compact --raw-days 7 --minute-days 90')
    .action(async (opts: { rawDays: string; minuteDays: string; json?: boolean }, cmd: Command) => {
      const rawDays = days('--raw-days', opts.rawDays);
      const minuteDays = days('--minute-days', opts.minuteDays);
      await withWorkspace(ctx, cmd, async (ws) => {
        if (!ws.telemetryRollups) throw new Error(`the ${ws.driver} workspace keeps no telemetry roll-ups`);
        const r = await compactTelemetry(ws.telemetryRollups, ws.clock, { rawDays, minuteDays });
        if (opts.json) return printJson(ctx, r);
        const mib = (b: number | null) => (b === null ? '—' : num(b / 1048576, 2));
        const out = [
          `Raw samples before ${new Date(r.rawCutMs).toISOString()} rolled up per minute; minutes before ${new Date(r.minuteCutMs).toISOString()} per hour.`,
          '',
          table(
            [{ header: '' }, { header: 'Raw samples', align: 'right' }, { header: 'Roll-up rows', align: 'right' }, { header: 'MiB', align: 'right' }],
            [
              ['Before', num(r.before.samples), num(r.before.rollups), mib(r.before.bytes)],
              ['After', num(r.after.samples), num(r.after.rollups), mib(r.after.bytes)],
            ],
          ),
          `(bytes: ${r.after.bytesBasis})`,
          '',
          table(
            [{ header: 'GPU' }, { header: 'Samples rolled', align: 'right' }, { header: 'Energy kWh before', align: 'right' }, { header: 'after', align: 'right' }, { header: 'Busy h before', align: 'right' }, { header: 'after', align: 'right' }],
            r.gpus.map((g) => [g.gpuId, num(g.samplesRolled), num(g.energyKwhBefore, 6), num(g.energyKwhAfter, 6), num(g.busySBefore / 3600, 4), num(g.busySAfter / 3600, 4)]),
          ),
        ];
        ctx.stdout(out.join('\n'));
      });
    });
}
