import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../core/errors.js';
import { sharedFile } from '../../../test/shared-data.js';
import { readAlibabaNodes, readAlibabaPods } from './alibaba-v2023.js';
import { readJobTrace, readJobsCsv } from './jobs-csv.js';
import { parseSimScenario } from './sim-scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-sim-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function issuesOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInput);
    return (e as InvalidInput).issues;
  }
  throw new Error('expected InvalidInput');
}

describe('Alibaba v2023 pod and node lists', () => {
  it('reads a pod list with times: arrival, service time, GPU sharing, type constraints, QoS', async () => {
    const p = file('pods.csv', 'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n' +
      'p0,8000,30517,1,500,V100M16|V100M32,LS,Running,100,700,110\n' +
      'p1,4000,1024,0,0,,BE,Failed,200,260,\n' +
      'p2,16000,65536,2,1000,,Burstable,Succeeded,300,900,300\n');
    const { jobs, hasTimes } = await readAlibabaPods(p);
    expect(hasTimes).toBe(true);
    expect(jobs[0]).toMatchObject({ id: 'p0', arrivalS: 100, workS: 590, gpus: 1, gpuMilli: 500, gpuTypes: ['V100M16', 'V100M32'], priority: 3 });
    expect(jobs[1]).toMatchObject({ gpus: 0, gpuMilli: 0, workS: 60, priority: 0 });
    expect(jobs[2]).toMatchObject({ gpus: 2, gpuMilli: 1000, workS: 600, priority: 1 });
  });

  it('a list without times is for fill mode', async () => {
    const { jobs, hasTimes } = await readAlibabaPods(file('fill.csv', 'name,cpu_milli,memory_mib,num_gpu,gpu_milli\na,1000,1024,1,460\n'));
    expect(hasTimes).toBe(false);
    expect(jobs[0]!.workS).toBe(Infinity);
  });

  it('says which line and column is wrong', async () => {
    const issues = await issuesOf(readAlibabaPods(file('bad.csv', 'name,cpu_milli,memory_mib,num_gpu,gpu_milli\na,1000,1024,1,460\nb,lots,1024,9.5,460\n')));
    expect(issues.map((i) => [i.line, i.path])).toEqual([[3, 'cpu_milli'], [3, 'num_gpu']]);
    const missing = await issuesOf(readAlibabaPods(file('nocol.csv', 'name,cpu_milli\na,1\n')));
    expect(missing.map((i) => i.path)).toEqual(['memory_mib', 'num_gpu', 'gpu_milli']);
  });

  it('reads a node list', async () => {
    const nodes = await readAlibabaNodes(file('nodes.csv', 'sn,cpu_milli,memory_mib,gpu,model\nn0,96000,786432,8,V100M32\nn1,32000,262144,0,nan\n'));
    expect(nodes).toEqual([{ name: 'n0', cpuMilli: 96000, memoryMib: 786432, gpus: 8, model: 'V100M32' }, { name: 'n1', cpuMilli: 32000, memoryMib: 262144, gpus: 0, model: '' }]);
  });

  it('reads the real trace', async () => {
    const pods = sharedFile('alibaba-gpu-v2023/openb_pod_list_gpushare40.csv');
    const nodes = sharedFile('alibaba-gpu-v2023/openb_node_list_gpu_node.csv');
    if (!pods || !nodes) return;
    const r = await readAlibabaPods(pods);
    expect(r.jobs.length).toBe(8152);
    expect(r.hasTimes).toBe(true);
    const n = await readAlibabaNodes(nodes);
    expect(n.length).toBe(1213);
    expect(n.reduce((a, x) => a + x.gpus, 0)).toBe(6212);
  });
});

describe('jobs CSV', () => {
  it('reads seconds or ISO times, work, deadlines and per-job checkpointing', async () => {
    const jobs = await readJobsCsv(file('jobs.csv', 'id,arrival,gpus,gpu_type,work_s,deadline,checkpoint_interval_s\n' +
      'a,2026-01-01T00:00:00Z,1,A100|H100,3600,2026-01-01T02:00:00Z,600\n' +
      'b,2026-01-01T00:10:00Z,4,,7200,,\n'));
    expect(jobs[0]).toMatchObject({ id: 'a', arrivalS: 0, gpus: 1, gpuTypes: ['A100', 'H100'], workS: 3600, deadlineS: 7200, checkpointIntervalS: 600, restartOverheadS: -1 });
    expect(jobs[1]).toMatchObject({ arrivalS: 600, gpus: 4, workS: 7200, checkpointIntervalS: -1 });
    expect(jobs[1]!.deadlineS).toBeUndefined();
  });

  it('reads gangs: more GPUs than a node, or the nodes asked for, split equally', async () => {
    const jobs = await readJobsCsv(file('gangs.csv', 'id,arrival,gpus,nodes,work_s\nbig,0,64,,60\ntwo,0,8,2,60\n'));
    expect(jobs).toHaveLength(2);
    expect(jobs[0]!.gpus).toBe(64);
    expect(jobs[0]!.nodes).toBeUndefined();
    expect(jobs[1]).toMatchObject({ gpus: 8, nodes: 2 });
    const issues = await issuesOf(readJobsCsv(file('badgang.csv', 'arrival,gpus,nodes,work_s\n0,8,3,60\n0,64,1,60\n')));
    expect(issues.map((i) => [i.line, i.path])).toEqual([[2, 'nodes'], [3, 'nodes']]);
  });

  it('refuses bad rows with their lines', async () => {
    const issues = await issuesOf(readJobsCsv(file('badjobs.csv', 'arrival,gpus,duration_s,deadline\n0,1,60,\nsoon,1,60,\n10,1,60,5\n')));
    expect(issues.map((i) => [i.line, i.path])).toEqual([[3, 'arrival'], [4, 'deadline']]);
    await expect(readJobsCsv(file('nodur.csv', 'arrival,gpus\n0,1\n'))).rejects.toThrow(/duration_s or work_s/);
  });

  it('recognises an Alibaba pod list by its columns', async () => {
    const t = await readJobTrace(file('auto.csv', 'name,cpu_milli,memory_mib,num_gpu,gpu_milli\na,1000,1024,1,460\n'));
    expect(t.format).toBe('alibaba-v2023');
  });
});

describe('simulation scenario', () => {
  const ok = `name: t\ncurrency: usd\npools:\n  - name: a\n    gpuType: A100\n    gpusPerNode: 8\n    cpuMilli: 96000\n    memoryMib: 786432\n    pricing: on-prem\n    pricePerNodeHour: 9.5\n    nodes: 2\n`;
  it('reads pools with defaults and exact prices', async () => {
    const s = await parseSimScenario(ok, 'ok.yaml');
    expect(s.currency).toBe('USD');
    expect(s.pools[0]).toMatchObject({ fixedNodes: 2, maxNodes: 2, idleTimeoutS: 600, speed: 1 });
    expect(s.pools[0]!.pricePerNodeHour.toFixed()).toBe('9.5');
  });

  it('points at file, line and field for every problem', async () => {
    const bad = ok.replace('gpusPerNode: 8', 'gpusPerNode: 40').replace('pricing: on-prem', 'pricing: leased');
    const issues = await issuesOf(parseSimScenario(bad, 'bad.yaml'));
    expect(issues.map((i) => `${i.file}:${i.line} ${i.path}`)).toEqual(['bad.yaml:6 pools[0].gpusPerNode', 'bad.yaml:9 pools[0].pricing']);
    const fewer = await issuesOf(parseSimScenario(ok.replace('nodes: 2', 'nodes: 2\n    maxNodes: 1'), 'fewer.yaml'));
    expect(fewer.map((i) => `${i.line} ${i.path} ${i.message}`)).toEqual(['12 pools[0].maxNodes maxNodes (1) must be at least nodes (2)']);
  });

  it('refuses a horizon past 100 years (a unit mistake), naming its line', async () => {
    const issues = await issuesOf(parseSimScenario(`horizonH: 1e9\n${ok}`, 'long.yaml'));
    expect(issues.map((i) => `${i.file}:${i.line} ${i.path}`)).toEqual(['long.yaml:1 horizonH']);
    expect(issues[0]!.message).toMatch(/876000/);
    expect((await parseSimScenario(`horizonH: 876000\n${ok}`, 'ok.yaml')).horizonS).toBe(876_000 * 3600);
  });

  it('reads a spot trace relative to the scenario, and says where when it is missing', async () => {
    file('trace.json', '{"metadata":{"gap_seconds":60},"data":[1,0,1]}');
    const spot = `name: s\ncurrency: USD\npools:\n  - name: sp\n    gpusPerNode: 1\n    cpuMilli: 1\n    memoryMib: 1\n    pricing: spot\n    pricePerNodeHour: 1\n    maxNodes: 1\n    spot:\n      trace: trace.json\n`;
    const s = await parseSimScenario(spot, join(dir, 's.yaml'));
    // A single-instance probe: 1 says spot can be had (no bound on nodes), 0 that it cannot.
    expect(s.pools[0]!.spotTrace?.available).toEqual([Infinity, 0, Infinity]);
    const preempted = await parseSimScenario(spot.replace('trace: trace.json', 'trace: trace.json\n      values: preempted'), join(dir, 's.yaml'));
    expect(preempted.pools[0]!.spotTrace?.available).toEqual([0, Infinity, 0]);
    // A multi-instance probe: counts are nodes.
    file('counts.json', '{"metadata":{"gap_seconds":60},"data":[16,5,0]}');
    const counts = await parseSimScenario(spot.replace('trace.json', 'counts.json'), join(dir, 's.yaml'));
    expect(counts.pools[0]!.spotTrace?.available).toEqual([16, 5, 0]);
    const issues = await issuesOf(parseSimScenario(spot.replace('trace.json', 'nope.json'), join(dir, 's.yaml')));
    expect(issues[0]).toMatchObject({ path: 'pools[0].spot.trace', line: 12 });
  });
});
