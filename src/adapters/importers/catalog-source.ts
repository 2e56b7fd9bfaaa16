/** A catalog reference → Offerings: `builtin`, a SkyPilot vms.csv, an FSDL cloud-gpus.csv or Penny YAML. */
import { InvalidInput } from '../../core/errors.js';
import { builtinCatalog } from '../../core/catalog/builtin.js';
import { validateOfferings, type Offering } from '../../core/catalog/offering.js';
import { readCsvHeader } from './csv.js';
import { readCatalogYaml } from './catalog-yaml.js';
import { readFsdlCatalog } from './fsdl-catalog.js';
import { readSkypilotCatalog } from './skypilot-catalog.js';
import { stat } from 'node:fs/promises';

export async function readCatalog(ref: string): Promise<Offering[]> {
  if (ref === 'builtin') return builtinCatalog();
  try {
    await stat(ref);
  } catch {
    throw new InvalidInput(`catalog ${ref}: no such file`, [{ path: '', file: ref, message: 'file not found' }], 'Name a SkyPilot vms.csv, an FSDL cloud-gpus.csv, a Penny catalog YAML, or `builtin`.');
  }
  let offerings: Offering[];
  if (/\.(ya?ml|json)$/i.test(ref)) {
    offerings = await readCatalogYaml(ref);
  } else {
    const header = await readCsvHeader(ref);
    if (header.includes('InstanceType') && header.includes('AcceleratorName')) offerings = (await readSkypilotCatalog(ref)).offerings;
    else if (header.includes('GPU Type') && header.includes('Cloud')) offerings = (await readFsdlCatalog(ref)).offerings;
    else
      throw new InvalidInput(
        `${ref}: not a catalog format Penny reads`,
        [{ path: '', file: ref, line: 1, message: 'unrecognised header', expected: 'SkyPilot vms.csv (InstanceType, AcceleratorName, …) or FSDL cloud-gpus.csv (Cloud, GPU Type, …)', found: header.slice(0, 8).join(',') }],
        'Give a SkyPilot vms.csv, an FSDL cloud-gpus.csv, a Penny catalog YAML (.yaml), or `builtin`.',
      );
  }
  validateOfferings(offerings, ref);
  return offerings;
}
