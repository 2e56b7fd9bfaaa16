/**
 * S3 server access logs (https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html):
 * one request a line, space-separated, with the time in brackets and the request line, referrer
 * and user agent in quotes:
 *
 *   owner bucket [06/Feb/2019:00:00:38 +0000] ip requester request-id operation key "request-uri"
 *   status error-code bytes-sent object-size total-time turn-around "referrer" "user-agent" …
 *
 * Reads are REST.GET.OBJECT answered 200 or 206, with the bytes sent. A line of another format
 * stops the read with its file and line: a plan from half a log would be wrong without saying so.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { InvalidInput } from '../../core/errors.js';
import { isGzip } from './csv.js';
import type { StorageLogEvent } from '../../app/storage.js';

const TOKEN = /\[[^\]]*\]|"(?:[^"\\]|\\.)*"|\S+/g;
const TIME = /^\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\]$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const OPERATION = /^[A-Z0-9]+\.[A-Z0-9_.]+$/;

export interface AccessLogLine {
  bucket: string;
  atMs: number;
  operation: string;
  key: string;
  status: number;
  bytesSent: number;
}

/** One line, or a message saying what is wrong with it. */
export function parseAccessLogLine(line: string): AccessLogLine | string {
  const f = line.match(TOKEN) ?? [];
  if (f.length < 13) return `${f.length} fields, an S3 server access log line has at least 13`;
  const t = TIME.exec(f[2]!);
  if (!t) return `field 3 is ${JSON.stringify(f[2]!.slice(0, 40))}, not a time like [06/Feb/2019:00:00:38 +0000]`;
  const month = MONTHS.indexOf(t[2]!);
  if (month < 0) return `month ${t[2]} in the time is not a month`;
  const offsetMin = (Number(t[8]) * 60 + Number(t[9])) * (t[7] === '-' ? -1 : 1);
  const atMs = Date.UTC(Number(t[3]), month, Number(t[1]), Number(t[4]), Number(t[5]), Number(t[6])) - offsetMin * 60_000;
  if (!OPERATION.test(f[6]!)) return `field 7 is ${JSON.stringify(f[6]!.slice(0, 40))}, not an operation like REST.GET.OBJECT`;
  if (!/^"/.test(f[8]!) && f[8] !== '-') return 'field 9 (the request URI) is not quoted';
  const status = Number(f[9]);
  if (!/^\d{3}$/.test(f[9]!)) return `field 10 is ${JSON.stringify(f[9]!.slice(0, 40))}, not an HTTP status`;
  const bytesSent = f[11] === '-' ? 0 : Number(f[11]);
  if (!Number.isInteger(bytesSent) || bytesSent < 0) return `field 12 (bytes sent) is ${JSON.stringify(f[11]!.slice(0, 40))}`;
  let key = f[7]!;
  try {
    key = decodeURIComponent(key);
  } catch {
    // Kept as written.
  }
  return { bucket: f[1]!, atMs, operation: f[6]!, key, status, bytesSent };
}

export async function* readS3AccessLog(file: string): AsyncGenerator<StorageLogEvent> {
  const raw = createReadStream(file);
  const input = (await isGzip(file)) ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    const r = parseAccessLogLine(text);
    if (typeof r === 'string') {
      throw new InvalidInput(`${file}:${n}: not an S3 server access log line: ${r}`, [{ path: '', file, line: n, message: r, expected: 'owner bucket [time] ip requester request-id operation key "request-uri" status error bytes-sent …', found: text.slice(0, 80) }], 'Give the bucket\'s S3 server access log files as S3 wrote them (CloudTrail and CloudFront logs are other formats).');
    }
    if (r.operation === 'REST.GET.OBJECT' && (r.status === 200 || r.status === 206)) yield { atMs: r.atMs, read: { bucket: r.bucket, key: r.key, bytes: r.bytesSent } };
    else yield { atMs: r.atMs };
  }
}
