// Wait until PENNY_DATABASE_URL accepts a connection (at most argv[2] seconds), so a container
// started beside its database does not fail on its first try. Exit 1 with the last error.
import pg from 'pg';

const limitS = Number(process.argv[2] ?? 60);
const url = process.env.PENNY_DATABASE_URL;
const started = Date.now();
let last = '';
for (;;) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
    process.exit(0);
  } catch (e) {
    last = e.message;
    await client.end().catch(() => undefined);
  }
  if ((Date.now() - started) / 1000 > limitS) break;
  await new Promise((r) => setTimeout(r, 1_000));
}
// The password never reaches the log.
console.error(`penny: the database at ${String(url).replace(/:[^:@/]*@/, ':***@')} did not answer within ${limitS} s: ${last}`);
process.exit(1);
