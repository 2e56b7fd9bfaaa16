/**
 * Deliveries: the files one export run writes. Providers split a large export into parts that
 * each cover the whole period (AWS CUR `report-00001.csv.gz`, CUR 2.0 / Spark
 * `part-00000-<job>.c000.snappy.parquet`, Azure `part_0_0001.csv`, BigQuery's wildcard export
 * `billing-000000000000.csv`); the parts add up, and must not be taken for restatements of one
 * another. Grouping is by name: files in one folder whose names are equal once their zero-padded
 * part number is blanked out. Only zero-padded runs count as part numbers, so dated names
 * (`focus-20261015.csv`, `focus-2026-10-15.csv`), which are separate deliveries, never group.
 */

/** A file's name with its part number blanked out, or undefined when it has none. */
export function partStem(name: string): string | undefined {
  // `part-00000`, `part_0_0001`, `part00001`: an explicit part marker, any numbering after it.
  const marked = name.replace(/part[-_]?\d+(?:[-_]\d+)*(?=[._-]|$)/i, 'part#');
  if (marked !== name) return marked;
  // `-00001`, `_000000000000`: a zero-padded number of 4+ digits after a separator.
  const padded = name.replace(/([-_])0\d{3,}(?=[._-]|$)/, '$1#');
  return padded !== name ? padded : undefined;
}

export interface DeliveryFile {
  path: string;
  /** The folder the file is in (parts of one delivery share it). */
  dir: string;
  name: string;
}

/**
 * Group files into deliveries: `groups` maps a group key to the paths of its parts (two or more);
 * files in no group are their own delivery. The key names the folder and stem; callers make the
 * delivery id from it and the parts' identity, so a later run of the same export (new content) is
 * a new delivery that restates the old one.
 */
export function groupDeliveries(files: readonly DeliveryFile[]): Map<string, string[]> {
  const byStem = new Map<string, string[]>();
  for (const f of files) {
    const stem = partStem(f.name);
    if (stem === undefined) continue;
    const key = `${f.dir}\u0000${stem}`;
    byStem.set(key, [...(byStem.get(key) ?? []), f.path]);
  }
  return new Map([...byStem].filter(([, paths]) => paths.length > 1));
}
