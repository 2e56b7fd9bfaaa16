/**
 * The built-in catalog: public on-demand list prices so `penny catalog` and `penny plan` work with
 * no file at all. A dated snapshot, not live prices: list prices from the providers' public
 * pricing pages for one region each; spot prices where a public figure was at hand (the Full
 * Stack Deep Learning table of the same month, Nebius' SkyPilot catalog), otherwise absent.
 * powerW is GPU board power (TDP, the mlco2 GPU table) × GPU count, not the whole server.
 */
import { Decimal } from '../money.js';
import { offeringId, type Offering } from './offering.js';

export const BUILTIN_CATALOG_DATE = '2025-03';
export const BUILTIN_SOURCE = `builtin (list prices of ${BUILTIN_CATALOG_DATE})`;

// provider, region, instance type, gpu, gpus, vCPUs, memory GiB, on-demand $/h, spot $/h, W per GPU
type Row = [string, string, string, string, number, number, number, string, string | null, number];

const rows: Row[] = [
  ['aws', 'us-east-1', 'p5.48xlarge', 'H100', 8, 192, 2048, '98.32', null, 700],
  ['aws', 'us-east-1', 'p4de.24xlarge', 'A100-80GB', 8, 96, 1152, '40.9657', null, 400],
  ['aws', 'us-east-1', 'p4d.24xlarge', 'A100', 8, 96, 1152, '32.7726', '9.83', 400],
  ['aws', 'us-east-1', 'p3.2xlarge', 'V100', 1, 8, 61, '3.06', '0.92', 300],
  ['aws', 'us-east-1', 'p3.8xlarge', 'V100', 4, 32, 244, '12.24', '3.67', 300],
  ['aws', 'us-east-1', 'p3.16xlarge', 'V100', 8, 64, 488, '24.48', '7.34', 300],
  ['aws', 'us-east-1', 'g5.xlarge', 'A10G', 1, 4, 16, '1.006', null, 150],
  ['aws', 'us-east-1', 'g5.12xlarge', 'A10G', 4, 48, 192, '5.672', '1.74', 150],
  ['aws', 'us-east-1', 'g5.48xlarge', 'A10G', 8, 192, 768, '16.288', null, 150],
  ['aws', 'us-east-1', 'g6e.xlarge', 'L40S', 1, 4, 32, '1.861', null, 350],
  ['aws', 'us-east-1', 'g6.xlarge', 'L4', 1, 4, 16, '0.8048', null, 72],
  ['aws', 'us-east-1', 'g4dn.xlarge', 'T4', 1, 4, 16, '0.526', null, 70],
  ['gcp', 'us-central1', 'a3-highgpu-8g', 'H100', 8, 208, 1872, '88.25', null, 700],
  ['gcp', 'us-central1', 'a2-ultragpu-8g', 'A100-80GB', 8, 96, 1360, '40.22', null, 400],
  ['gcp', 'us-central1', 'a2-highgpu-8g', 'A100', 8, 96, 680, '29.39', null, 400],
  ['gcp', 'us-central1', 'a2-highgpu-1g', 'A100', 1, 12, 85, '3.67', null, 400],
  ['gcp', 'us-central1', 'g2-standard-4', 'L4', 1, 4, 16, '0.7068', null, 72],
  ['azure', 'eastus', 'Standard_ND96isr_H100_v5', 'H100', 8, 96, 1900, '98.32', null, 700],
  ['azure', 'eastus', 'Standard_ND96asr_v4', 'A100', 8, 96, 900, '27.197', null, 400],
  ['azure', 'eastus', 'Standard_NC24ads_A100_v4', 'A100-80GB', 1, 24, 220, '3.673', null, 400],
  ['lambda', 'us-east-1', 'gpu_8x_h100_sxm5', 'H100', 8, 208, 1800, '23.92', null, 700],
  ['lambda', 'us-east-1', 'gpu_1x_h100_pcie', 'H100', 1, 26, 200, '2.49', null, 350],
  ['lambda', 'us-east-1', 'gpu_8x_a100_80gb_sxm4', 'A100-80GB', 8, 240, 1800, '14.32', null, 400],
  ['lambda', 'us-east-1', 'gpu_1x_a10', 'A10', 1, 30, 200, '0.75', null, 150],
  ['nebius', 'eu-north1', 'gpu-h100-sxm_1gpu-16vcpu-200gb', 'H100', 1, 16, 200, '2.95', '1.25', 700],
  ['nebius', 'eu-north1', 'gpu-h100-sxm_8gpu-128vcpu-1600gb', 'H100', 8, 128, 1600, '23.60', '10.00', 700],
  ['nebius', 'eu-north1', 'gpu-h200-sxm_8gpu-128vcpu-1600gb', 'H200', 8, 128, 1600, '28.00', '11.60', 700],
];

export function builtinCatalog(): Offering[] {
  return rows.map(([provider, region, instanceType, gpu, gpuCount, vcpus, memoryGiB, od, spot, w]) => ({
    id: offeringId(provider, region, instanceType),
    provider,
    region,
    instanceType,
    gpu,
    gpuCount,
    vcpus,
    memoryGiB,
    onDemandUsdPerHour: new Decimal(od),
    ...(spot !== null && { spotUsdPerHour: new Decimal(spot) }),
    powerW: w * gpuCount,
    source: BUILTIN_SOURCE,
  }));
}
