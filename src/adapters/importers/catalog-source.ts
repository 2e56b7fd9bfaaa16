/**
 * A catalog reference → Offerings: `builtin`, a SkyPilot vms.csv, a SkyPilot catalog folder, an
 * FSDL cloud-gpus.csv or Penny YAML; with the date of its prices (each part of the built-in catalog's own date, else
 * when the file was last written: SkyPilot rewrites its catalog files when it fetches new prices).
 */
import { InvalidInput } from '../../core/errors.js';
import { builtinCatalog, builtinCatalogDates } from '../../core/catalog/builtin.js';
import type { CatalogDate } from '../../core/catalog/age.js';
import { validateOfferings, type Offering } from '../../core/catalog/offering.js';
import { readCsvHeader } from './csv.js';
import { readCatalogYaml } from './catalog-yaml.js';
import { readFsdlCatalog } from './fsdl-catalog.js';
import { readSkypilotCatalog } from './skypilot-catalog.js';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeCatalogs } from '../../core/catalog/query.js';

export async function readCatalog(ref: string): Promise<Offering[]> {
  return (await readCatalogDated(ref)).offerings;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * A catalog with the dates of its prices (one for a file or folder, one per dated part of the
 * built-in catalog) and the currency its prices are in where the catalog says (a YAML's
 * `currency:`; the built-in catalog is USD); absent: unsaid, USD unless the user says otherwise.
 */
export async function readCatalogDated(ref: string): Promise<{ offerings: Offering[]; dates: CatalogDate[]; currency?: string }> {
  if (ref === 'builtin') return { offerings: builtinCatalog(), dates: builtinCatalogDates(), currency: 'USD' };
  let st;
  try {
    st = await stat(ref);
  } catch {
    throw new InvalidInput(`catalog ${ref}: no such file`, [{ path: '', file: ref, message: 'file not found' }], 'Name a SkyPilot vms.csv or catalog folder, an FSDL cloud-gpus.csv, a Penny catalog YAML, or `builtin`.');
  }
  if (st.isDirectory()) return readSkypilotFolder(ref);
  return { ...(await readCatalogFile(ref)), dates: [{ ref, asOf: isoDay(st.mtime), basis: 'file modified' }] };
}

/**
 * A SkyPilot catalog folder, as `sky` keeps it (`~/.sky/catalogs/v8/<cloud>/vms.csv`) or as
 * flat files (`skypilot-v8-<cloud>-vms.csv`): every cloud's vms.csv in it or one level below, the
 * provider from the sub-folder or file name. Other files (images.csv, accelerators.csv) are not
 * prices and are left alone. Dated by its oldest vms.csv.
 */
async function readSkypilotFolder(dir: string): Promise<{ offerings: Offering[]; dates: CatalogDate[] }> {
  const files: string[] = [];
  const isVms = (name: string) => name === 'vms.csv' || name === 'vms.csv.gz' || /^skypilot-v\d+-.+-vms\.csv(\.gz)?$/i.test(name);
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.isFile() && isVms(e.name)) files.push(join(dir, e.name));
    else if (e.isDirectory()) for (const f of (await readdir(join(dir, e.name))).sort()) if (isVms(f)) files.push(join(dir, e.name, f));
  }
  if (files.length === 0)
    throw new InvalidInput(`${dir}: no SkyPilot vms.csv in this folder`, [{ path: '', file: dir, message: 'expected <cloud>/vms.csv or skypilot-v8-<cloud>-vms.csv files' }], 'Name a SkyPilot catalog folder (e.g. ~/.sky/catalogs/v8), or a single catalog file.');
  const lists: Offering[][] = [];
  let oldest: Date | undefined;
  for (const f of files) {
    // The provider from the path: the sub-folder (a vms.csv directly inside is the folder's cloud) or the flat file's name.
    lists.push((await readSkypilotCatalog(f)).offerings);
    const m = (await stat(f)).mtime;
    if (!oldest || m < oldest) oldest = m;
  }
  const offerings = mergeCatalogs(...lists);
  validateOfferings(offerings, dir);
  return { offerings, dates: [{ ref: dir, asOf: isoDay(oldest!), basis: 'oldest file modified' }] };
}

async function readCatalogFile(ref: string): Promise<{ offerings: Offering[]; currency?: string }> {
  let offerings: Offering[];
  let currency: string | undefined;
  if (/\.(ya?ml|json)$/i.test(ref)) {
    ({ offerings, currency } = await readCatalogYaml(ref));
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
  return { offerings, ...(currency && { currency }) };
}
