import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { INestApplication } from '@nestjs/common';
import type { OpenAPIObject, OperationObject, ParameterObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import Ajv, { type ValidateFunction } from 'ajv';
import { DataSource } from 'typeorm';
import { signWahaBody } from '@app/inbound';
import { TenantService } from '@app/tenant';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createTestDatabase, ownerView } from '../support/database';
import { TestEnv } from '../support/test-env';

/** Above the largest body any route accepts (the WAHA receiver's 5 MiB default). */
const OVER_EVERY_BODY_LIMIT = 5 * 1024 * 1024 + 1;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Method = (typeof METHODS)[number];
const CODE = /^[A-Z][A-Z0-9_]*(\.[A-Z][A-Z0-9_]*)*$/;
const UNKNOWN_PROPERTY = 'unexpectedProperty';

interface Answer {
  status: number;
  contentType: string | null;
  body: any;
}
interface Expected {
  status: number;
  code?: string | RegExp;
  /** Inputs VALIDATION_FAILED must name in `errors` (all of them). */
  fields?: string[];
  /** Every field of `errors` must start with one of these (the inputs the request could have got wrong). */
  fieldsWithin?: string[];
}

/**
 * The error answers of the API as it runs (real HTTP on 127.0.0.1, real PostgreSQL and Temporal), walked
 * from its own OpenAPI document: every operation is asked for each error it documents that a request
 * can provoke (401 without / with a bad key, 400 for a bad path parameter, query or body, malformed JSON,
 * 404 for an unknown id, 413 for an oversized body), and every answer must be the documented
 * ErrorResponse envelope. New routes are covered as they appear in /docs-json.
 */
describe('error envelope on every route (e2e)', () => {
  let app: INestApplication;
  let base: string;
  let key: string;
  let doc: OpenAPIObject;
  let isErrorResponse: ValidateFunction;

  const call = async (
    method: string,
    path: string,
    opts: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const body = opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined);
    const res = await fetch(`${base}${path}`, {
      method: method.toUpperCase(),
      headers: {
        ...(opts.key ? { 'x-api-key': opts.key } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // kept as text: the check below reports it
    }
    return { status: res.status, contentType: res.headers.get('content-type'), body: parsed };
  };

  beforeAll(async () => {
    Object.assign(process.env, {
      DATABASE_URL: await createTestDatabase(),
      TEMPORAL_ADDRESS: TestEnv.temporalAddress(),
      TEMPORAL_NAMESPACE: 'default',
      LOG_LEVEL: 'silent',
      // The one channel this suite creates points at a closed port of this machine.
      WAHA_ALLOWED_CIDRS: '127.0.0.0/8',
    });
    delete process.env.DEV_API_KEY;
    app = await createApiApp({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    key = (await app.get(TenantService).createTenant('Errors')).apiKey;
    doc = (await call('get', '/docs-json')).body;
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'openapi', components: doc.components });
    isErrorResponse = ajv.getSchema('openapi#/components/schemas/ErrorResponse')!;
  });
  afterAll(() => app?.close());

  /** Everything wrong with one answer; empty when it is the envelope we expect. */
  function problemsOf(answer: Answer, expected: Expected, documented?: OperationObject): string[] {
    const problems: string[] = [];
    const { status, body } = answer;
    if (status !== expected.status) problems.push(`status ${status}, expected ${expected.status}`);
    if (!/^application\/json; charset=utf-8$/i.test(answer.contentType ?? ''))
      problems.push(`content-type ${answer.contentType}`);
    if (!body || typeof body !== 'object') return [...problems, 'body is not a JSON object'];
    if (!isErrorResponse(body)) problems.push(`not an ErrorResponse: ${JSON.stringify(isErrorResponse.errors)}`);
    if (body.statusCode !== status) problems.push(`statusCode ${body.statusCode} for status ${status}`);
    if (body.error !== STATUS_CODES[status])
      problems.push(`error "${body.error}" is not the reason phrase of ${status}`);
    if (typeof body.code !== 'string' || !CODE.test(body.code))
      problems.push(`code ${JSON.stringify(body.code)} is not UPPER_SNAKE`);
    if (typeof body.message !== 'string' || !body.message) problems.push('message is not a non-empty string');
    if (
      expected.code &&
      !(typeof expected.code === 'string' ? body.code === expected.code : expected.code.test(body.code))
    )
      problems.push(`code ${body.code}, expected ${expected.code}`);
    if (body.code === 'VALIDATION_FAILED') {
      const errors: { field?: unknown; message?: unknown }[] = Array.isArray(body.errors) ? body.errors : [];
      if (errors.length === 0) problems.push('VALIDATION_FAILED without errors');
      if (errors.some((e) => typeof e.field !== 'string' || !e.field || typeof e.message !== 'string' || !e.message))
        problems.push('an entry of errors lacks field or message');
      if (body.field !== errors[0]?.field) problems.push(`field ${body.field} is not the first of errors`);
      const named = new Set(errors.map((e) => String(e.field)));
      const missing = (expected.fields ?? []).filter((f) => !named.has(f));
      if (missing.length) problems.push(`errors do not name ${missing.join(', ')}`);
      const foreign = [...named].filter(
        (f) =>
          expected.fieldsWithin &&
          !expected.fieldsWithin.some((w) => f === w || f.startsWith(`${w}.`) || f.startsWith(`${w}[`)),
      );
      if (foreign.length) problems.push(`errors name ${foreign.join(', ')}, not inputs of this request`);
    }
    if (documented) {
      const response = documented.responses[String(status)] as
        { content?: Record<string, { schema?: ReferenceObject }> } | undefined;
      if (!response) problems.push(`${status} is not documented on this operation`);
      else if (response.content?.['application/json']?.schema?.$ref !== '#/components/schemas/ErrorResponse')
        problems.push(`${status} is documented without the ErrorResponse body`);
    }
    return problems;
  }

  const resolve = (schema: SchemaObject | ReferenceObject | undefined): SchemaObject => {
    if (schema && '$ref' in schema) return resolve(doc.components!.schemas![schema.$ref.split('/').pop()!]);
    return schema ?? {};
  };

  /** A value the input accepts: its example, default or first enum value, else one of its format or type. */
  function validValue(schema: SchemaObject): unknown {
    if (schema.example !== undefined) return schema.example;
    if (schema.default !== undefined) return schema.default;
    if (schema.enum) return schema.enum[0];
    if (schema.format === 'uuid') return randomUUID();
    if (schema.format === 'date-time') return new Date().toISOString();
    if (schema.type === 'integer' || schema.type === 'number') return schema.minimum ?? 1;
    if (schema.type === 'boolean') return true;
    if (schema.type === 'array') return [validValue(resolve(schema.items))];
    if (schema.type === 'object' || schema.properties) return sampleBody(schema);
    return 'x';
  }

  /** A query or path value the input refuses, or undefined when its schema allows any string. */
  function invalidParameterValue(schema: SchemaObject): string | undefined {
    if (schema.format === 'uuid') return 'not-a-uuid';
    if (schema.enum) return 'not-one-of-them';
    if (schema.type === 'integer' || schema.type === 'number')
      return schema.maximum !== undefined ? String(schema.maximum + 1) : 'not-a-number';
    if (
      schema.format === 'date-time' ||
      (typeof schema.example === 'string' &&
        !Number.isNaN(Date.parse(schema.example)) &&
        /^\d{4}-/.test(schema.example))
    )
      return 'not-a-time';
    if (schema.maxLength !== undefined) return 'x'.repeat(schema.maxLength + 1);
    return undefined;
  }

  /** A body with the required properties set to accepted values. */
  function sampleBody(schema: SchemaObject): Record<string, unknown> {
    const properties = schema.properties ?? {};
    return Object.fromEntries((schema.required ?? []).map((name) => [name, validValue(resolve(properties[name]))]));
  }

  /** A value of the wrong JSON type for the property. */
  function wrongType(schema: SchemaObject): unknown {
    if (schema.type === 'string' || schema.enum || schema.format) return 12345;
    if (schema.type === 'array') return 'not-an-array';
    return 'not-a-number-boolean-or-object';
  }

  interface Operation {
    method: Method;
    path: string;
    route: string;
    op: OperationObject;
    secured: boolean;
    pathParameters: ParameterObject[];
    queryParameters: ParameterObject[];
    bodySchema?: SchemaObject;
  }

  function operations(): Operation[] {
    return Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => {
        const op = item[method]!;
        const parameters = (op.parameters ?? []) as ParameterObject[];
        const requestBody = op.requestBody as
          { content?: Record<string, { schema?: SchemaObject | ReferenceObject }> } | undefined;
        return {
          method,
          path,
          route: `${method.toUpperCase()} ${path}`,
          op,
          secured: (op.security ?? doc.security ?? []).length > 0,
          pathParameters: parameters.filter((p) => p.in === 'path'),
          queryParameters: parameters.filter((p) => p.in === 'query'),
          bodySchema: requestBody ? resolve(requestBody.content?.['application/json']?.schema) : undefined,
        };
      }),
    );
  }

  /** The operation's URL with `path` values (a fresh UUID for the others) and `query`, plus its required query parameters. */
  function urlOf(o: Operation, path: Record<string, string> = {}, query: Record<string, string> = {}): string {
    let url = o.path;
    for (const p of o.pathParameters)
      url = url.replace(`{${p.name}}`, encodeURIComponent(path[p.name] ?? randomUUID()));
    const required = Object.fromEntries(
      o.queryParameters.filter((p) => p.required).map((p) => [p.name, String(validValue(resolve(p.schema)))]),
    );
    const search = new URLSearchParams({ ...required, ...query }).toString();
    return search ? `${url}?${search}` : url;
  }

  it('answers every error path each operation documents with the ErrorResponse envelope', async () => {
    const ops = operations();
    const failures: unknown[] = [];
    const triggered: Record<string, number> = {};
    const provoked = new Set<string>();
    type Request = {
      method: string;
      url: string;
      key?: string;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    };
    const expectAnswer = async (o: Operation | null, trigger: string, request: Request, expected: Expected) => {
      const answer = await call(request.method, request.url, request);
      triggered[trigger] = (triggered[trigger] ?? 0) + 1;
      if (o) provoked.add(`${o.route} ${expected.status}`);
      const problems = problemsOf(answer, expected, o?.op);
      if (problems.length) {
        const shown =
          request.raw && request.raw.length > 200
            ? `${request.raw.slice(0, 40)}... (${request.raw.length} bytes)`
            : (request.raw ?? request.body);
        failures.push({
          route: o?.route ?? null,
          trigger,
          request: { ...request, key: request.key ? '<key>' : undefined, raw: undefined, body: shown },
          expected,
          seen: answer,
          problems,
        });
      }
    };

    expect(ops.length).toBeGreaterThan(25);
    for (const o of ops) {
      const documents = (status: number) => o.op.responses[String(status)] !== undefined;
      const body = o.bodySchema ? sampleBody(o.bodySchema) : undefined;
      const request = (url: string, extra: { key?: string | null; body?: unknown; raw?: string } = {}) => ({
        method: o.method,
        url,
        key: extra.key === null ? undefined : (extra.key ?? key),
        body: extra.raw !== undefined ? undefined : 'body' in extra ? extra.body : body,
        raw: extra.raw,
      });

      // Every error a route can give is documented with the envelope; a route that needs a key says so.
      for (const [status, response] of Object.entries(o.op.responses)) {
        const ref = (response as { content?: Record<string, { schema?: ReferenceObject }> }).content?.[
          'application/json'
        ]?.schema?.$ref;
        if (Number(status) >= 400 && ref !== '#/components/schemas/ErrorResponse')
          failures.push({ route: o.route, problems: [`${status} documented without ErrorResponse`] });
      }
      if (!documents(500)) failures.push({ route: o.route, problems: ['500 is not documented'] });

      if (o.secured) {
        await expectAnswer(o, '401 without key', request(urlOf(o), { key: null }), {
          status: 401,
          code: 'API_KEY_MISSING',
        });
        await expectAnswer(o, '401 bad key', request(urlOf(o), { key: 'crm_not-a-real-key' }), {
          status: 401,
          code: 'API_KEY_INVALID',
        });
      } else {
        // A public route must really take no key: without one it does not answer 401 for want of it.
        const answer = await call(o.method, urlOf(o), { body });
        if (answer.body?.code === 'API_KEY_MISSING')
          failures.push({ route: o.route, problems: ['documented as public but asks for an API key'], seen: answer });
      }

      if (documents(400)) {
        for (const p of o.pathParameters) {
          await expectAnswer(o, '400 path parameter', request(urlOf(o, { [p.name]: 'not-a-uuid' })), {
            status: 400,
            code: 'VALIDATION_FAILED',
            fields: [p.name],
          });
        }
        const invalid = Object.fromEntries(
          o.queryParameters
            .map((p) => [p.name, invalidParameterValue(resolve(p.schema))] as const)
            .filter((e): e is [string, string] => e[1] !== undefined),
        );
        const queryNames = o.queryParameters.map((p) => p.name);
        if (Object.keys(invalid).length) {
          await expectAnswer(o, '400 query', request(urlOf(o, {}, invalid)), {
            status: 400,
            code: 'VALIDATION_FAILED',
            fields: Object.keys(invalid),
            fieldsWithin: queryNames,
          });
        }
        if (queryNames.length) {
          await expectAnswer(o, '400 unknown query parameter', request(urlOf(o, {}, { [UNKNOWN_PROPERTY]: '1' })), {
            status: 400,
            code: 'VALIDATION_FAILED',
            fields: [UNKNOWN_PROPERTY],
          });
        }
        const properties = Object.entries(o.bodySchema?.properties ?? {});
        if (properties.length) {
          const wrong = {
            ...Object.fromEntries(properties.map(([name, schema]) => [name, wrongType(resolve(schema))])),
            [UNKNOWN_PROPERTY]: true,
          };
          await expectAnswer(o, '400 body', request(urlOf(o), { body: wrong }), {
            status: 400,
            code: 'VALIDATION_FAILED',
            fields: Object.keys(wrong),
            fieldsWithin: Object.keys(wrong),
          });
        }
        if (o.bodySchema)
          await expectAnswer(o, '400 malformed JSON', request(urlOf(o), { raw: '{"name": "unterminated' }), {
            status: 400,
            code: 'MALFORMED_JSON',
          });
      }

      if (documents(404) && o.pathParameters.length) {
        await expectAnswer(o, '404 unknown id', request(urlOf(o)), { status: 404, code: /\.NOT_FOUND$/ });
      }

      if (documents(413) && o.bodySchema) {
        const padding = OVER_EVERY_BODY_LIMIT - '{"padding":""}'.length;
        await expectAnswer(
          o,
          '413 body too large',
          request(urlOf(o), { raw: `{"padding":"${'x'.repeat(padding)}"}` }),
          { status: 413, code: 'PAYLOAD_TOO_LARGE' },
        );
      }

      // No claim without a way to get it: a documented 400, 401 (of the API key), 404 or 413 was provoked above.
      for (const status of [400, 404, 413, ...(o.secured ? [401] : [])]) {
        if (documents(status) && !provoked.has(`${o.route} ${status}`))
          failures.push({
            route: o.route,
            problems: [`documents ${status}, but nothing in its inputs can provoke it`],
          });
      }
    }

    // Outside the document: an unknown route, and a known path with a method it does not take.
    await expectAnswer(
      null,
      'unknown route',
      { method: 'get', url: '/v1/no-such-route', key },
      { status: 404, code: 'ROUTE_NOT_FOUND' },
    );
    await expectAnswer(
      null,
      'unknown route',
      { method: 'get', url: '/no/such/route?x=1' },
      { status: 404, code: 'ROUTE_NOT_FOUND' },
    );
    for (const path of Object.keys(doc.paths)) {
      const method = METHODS.find((m) => !doc.paths[path]![m])!;
      await expectAnswer(
        null,
        'method not routed',
        { method, url: path.replace(/\{[^}]+\}/g, randomUUID()), key },
        { status: 404, code: 'ROUTE_NOT_FOUND' },
      );
    }
    await expectAnswer(
      null,
      'malformed JSON to an unknown route',
      { method: 'post', url: '/v1/no-such-route', raw: '[' },
      { status: 400, code: 'MALFORMED_JSON' },
    );
    await expectAnswer(
      null,
      'undecodable path',
      { method: 'get', url: '/v1/contacts/%E0%A4%A', key },
      { status: 400, code: 'BAD_REQUEST' },
    );
    await expectAnswer(
      null,
      'unsupported charset',
      {
        method: 'post',
        url: '/v1/contacts',
        key,
        raw: '{"phone":"5511999990000"}',
        headers: { 'content-type': 'application/json; charset=latin-9' },
      },
      { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    );

    expect({ failures }).toEqual({ failures: [] });
    // The walk ran each kind of trigger (the document was read, not skipped).
    for (const trigger of [
      '401 without key',
      '401 bad key',
      '400 path parameter',
      '400 query',
      '400 unknown query parameter',
      '400 body',
      '400 malformed JSON',
      '404 unknown id',
      '413 body too large',
    ]) {
      expect({ trigger, ran: (triggered[trigger] ?? 0) > 0 }).toEqual({ trigger, ran: true });
    }
  });

  it('answers a failure nobody foresaw 500 INTERNAL_ERROR, naming the request id and nothing of the failure', async () => {
    const db = await ownerView(app.get(DataSource));
    // A query on a table that is not there: a bug as far as the API knows, not an outage.
    await db.query('ALTER TABLE contacts RENAME TO contacts_hidden_by_test');
    try {
      const res = await fetch(`${base}/v1/contacts`, {
        headers: { 'x-api-key': key, 'x-request-id': 'req-envelope-500' },
      });
      const answer: Answer = {
        status: res.status,
        contentType: res.headers.get('content-type'),
        body: JSON.parse(await res.text()),
      };
      expect({
        problems: problemsOf(
          answer,
          { status: 500, code: 'INTERNAL_ERROR' },
          operations().find((o) => o.route === 'GET /v1/contacts')!.op,
        ),
        seen: answer,
      }).toMatchObject({
        problems: [],
      });
      expect(answer.body.message).toContain('req-envelope-500');
      expect(JSON.stringify(answer.body)).not.toMatch(/contacts_hidden|relation|SELECT|at .*\.(ts|js)/i);
    } finally {
      await db.query('ALTER TABLE contacts_hidden_by_test RENAME TO contacts');
    }
  });

  it("answers the WAHA receiver's own errors (bad signature, bad event) with the envelope", async () => {
    const created = await call('post', '/v1/channels', {
      key,
      body: { name: 'Envelope', wahaBaseUrl: 'http://127.0.0.1:9' },
    });
    expect(created.status).toBe(201);
    const url = `/v1/channels/${created.body.id}/waha/events`;
    const receiver = operations().find((o) => o.path.endsWith('/waha/events'))!;

    const unsigned = await call('post', url, {
      body: { event: 'message' },
      headers: { 'x-webhook-hmac': 'ab'.repeat(64) },
    });
    expect({
      problems: problemsOf(unsigned, { status: 401, code: 'WEBHOOK_SIGNATURE_INVALID' }, receiver.op),
      seen: unsigned,
    }).toMatchObject({ problems: [] });

    const raw = JSON.stringify({ id: 'evt_1', event: 'message', session: 'default', payload: 'not an object' });
    const invalid = await call('post', url, {
      raw,
      headers: { 'x-webhook-hmac': signWahaBody(raw, created.body.webhookSecret) },
    });
    expect({
      problems: problemsOf(invalid, { status: 400, code: 'VALIDATION_FAILED', fields: ['payload'] }, receiver.op),
      seen: invalid,
    }).toMatchObject({ problems: [] });
  });
});
