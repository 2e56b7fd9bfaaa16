/**
 * Every response a test provokes is checked against the OpenAPI document: the status is declared
 * for that route, the content type is the declared one, and the body matches the declared schema.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';

export interface Recorded {
  method: string;
  route: string;
  status: number;
  contentType: string;
  body: string;
}

/** Keep every response of `app` (add before it listens). */
export function recordResponses(app: FastifyInstance): Recorded[] {
  const seen: Recorded[] = [];
  app.addHook('onSend', async (req, reply, payload) => {
    const route = req.routeOptions.url;
    if (route !== undefined && typeof payload === 'string') {
      seen.push({ method: req.method.toLowerCase(), route, status: reply.statusCode, contentType: String(reply.getHeader('content-type') ?? ''), body: payload });
    }
    return payload;
  });
  return seen;
}

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };

/** Mismatches, one line each; empty when every recorded response conforms. */
export function nonConforming(doc: Doc, records: Recorded[]): string[] {
  const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false, validateFormats: false });
  const compiled = new Map<object, ReturnType<typeof ajv.compile>>();
  const out: string[] = [];
  for (const r of records) {
    const path = r.route.replace(/:(\w+)/g, '{$1}');
    const op = doc.paths[path]?.[r.method];
    if (!op) continue; // hidden routes: static files, /docs, /openapi.json
    const declared = op.responses[String(r.status)];
    const where = `${r.method.toUpperCase()} ${path} ${r.status}`;
    if (!declared) {
      out.push(`${where}: status not declared (${r.body.slice(0, 120)})`);
      continue;
    }
    const type = r.contentType.split(';')[0]!.trim();
    const content = declared.content ?? {};
    const entry = content[type];
    if (!entry) {
      out.push(`${where}: content type ${type} not declared (declared: ${Object.keys(content).join(', ')})`);
      continue;
    }
    if (!type.endsWith('json')) continue;
    let validate = compiled.get(entry.schema);
    if (!validate) compiled.set(entry.schema, (validate = ajv.compile(entry.schema)));
    if (!validate(JSON.parse(r.body))) out.push(`${where}: ${JSON.stringify(validate.errors?.slice(0, 3))} in ${r.body.slice(0, 200)}`);
  }
  return out;
}
