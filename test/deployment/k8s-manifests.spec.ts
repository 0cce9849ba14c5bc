import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import * as models from 'kubernetes-models';
import type { DataSource } from 'typeorm';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ApiEnv } from '../../apps/api/src/api.config';
import { HealthController } from '../../apps/api/src/health/health.controller';
import { MetricsController } from '../../apps/api/src/health/metrics.controller';
import type { TemporalWorkerHost } from '../../apps/worker/src/temporal-worker.host';
import { WorkerHealthServer } from '../../apps/worker/src/worker-health.server';
import { WorkerEnv, type WorkerConfig } from '../../apps/worker/src/worker.config';

/**
 * The Kubernetes manifests (docker/k8s) and the compose file, checked without a cluster or a Docker
 * engine (none runs here; these files were never applied): every Kubernetes document against the
 * OpenAPI schema of its kind (kubernetes-models), then what the schema cannot know: probes on the
 * endpoints and ports the apps really serve, resources, grace periods that cover the apps' shutdown,
 * selectors that select, the worker's PDB and HPA, the migration Job, and secrets by reference only.
 */
const repo = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(repo, path), 'utf8');

type Doc = Record<string, any>;
interface Located {
  file: string;
  doc: Doc;
}

function k8sDocuments(dir: string): Located[] {
  return readdirSync(join(repo, dir))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      parseAllDocuments(read(`${dir}/${f}`))
        .map((d) => d.toJS() as Doc | null)
        .filter((doc): doc is Doc => doc !== null)
        .map((doc) => ({ file: `${dir}/${f}`, doc })),
    );
}

const applied = k8sDocuments('docker/k8s');
const examples = k8sDocuments('docker/k8s/examples');
const ofKind = (kind: string) => applied.filter((l) => l.doc.kind === kind).map((l) => l.doc);
const deployments = ofKind('Deployment');
const jobs = ofKind('Job');

/** The kubernetes-models class of an apiVersion/kind: `apps/v1` -> models.apps.v1, `v1` -> models.v1. */
function modelFor(apiVersion: string, kind: string): (new (data: Doc) => { validate(): void }) | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const groupKey = group!.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase());
  const namespace = (group === '' ? (models as any)[version!] : (models as any)[groupKey]?.[version!]) as
    Doc | undefined;
  return namespace?.[kind];
}

function schemaErrors(doc: Doc): string | undefined {
  const Model = modelFor(String(doc.apiVersion), String(doc.kind));
  if (!Model) return `no kubernetes-models class for ${doc.apiVersion} ${doc.kind}`;
  try {
    new Model(doc).validate();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** GET routes of Nest controllers, as full paths. */
function getRoutes(...controllers: Type[]): string[] {
  return controllers.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    return Object.getOwnPropertyNames(controller.prototype).flatMap((name) => {
      const handler = controller.prototype[name];
      if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.GET)
        return [];
      return [
        `/${[base, String(Reflect.getMetadata(PATH_METADATA, handler))].filter((p) => p && p !== '/').join('/')}`,
      ];
    });
  });
}

/** What the worker's health server answers (200 or not) per path while its workers run. */
async function workerAnswers(paths: string[], state = 'running'): Promise<Record<string, number>> {
  const server = new WorkerHealthServer(
    { healthPort: 0 } as WorkerConfig,
    { state, outboxProcessor: undefined } as unknown as TemporalWorkerHost,
    { query: async () => [{ '?column?': 1 }] } as unknown as DataSource,
  );
  await server.onApplicationBootstrap();
  try {
    const answers: Record<string, number> = {};
    for (const path of paths) answers[path] = (await fetch(`http://127.0.0.1:${server.port}${path}`)).status;
    return answers;
  } finally {
    await server.onApplicationShutdown();
  }
}

type AppName = 'api' | 'worker';
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
const commandOf = (script: string) => scripts[script]!.split(' ');
/** Which app a container runs, by its command (the package.json start scripts). */
function appOf(container: Doc): AppName | undefined {
  const command = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
  if (command === scripts['start:api']) return 'api';
  if (command === scripts['start:worker']) return 'worker';
  return undefined;
}

/** A container's environment from the ConfigMap it loads and its own literal values. */
function containerEnv(container: Doc): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const map = from.configMapRef && ofKind('ConfigMap').find((c) => c.metadata.name === from.configMapRef.name);
    Object.assign(env, map?.data ?? {});
  }
  for (const item of container.env ?? []) if (item.value !== undefined) env[item.name] = String(item.value);
  return env;
}

/** Shutdown budget of an app under an environment: readiness delay, then drain (api) or grace (worker). */
function shutdownBudget(app: AppName, env: Record<string, string>): { readinessDelayMs: number; totalMs: number } {
  const number = (name: string, fallback: number) => (env[name] !== undefined ? Number(env[name]) : fallback);
  if (app === 'api') {
    const defaults = new ApiEnv();
    const readinessDelayMs = number('SHUTDOWN_READINESS_DELAY_MS', defaults.SHUTDOWN_READINESS_DELAY_MS);
    return {
      readinessDelayMs,
      totalMs: readinessDelayMs + number('SHUTDOWN_DRAIN_TIMEOUT_MS', defaults.SHUTDOWN_DRAIN_TIMEOUT_MS),
    };
  }
  const defaults = new WorkerEnv();
  const readinessDelayMs = number('SHUTDOWN_READINESS_DELAY_MS', defaults.SHUTDOWN_READINESS_DELAY_MS);
  return {
    readinessDelayMs,
    totalMs: readinessDelayMs + number('WORKER_SHUTDOWN_GRACE_MS', defaults.WORKER_SHUTDOWN_GRACE_MS),
  };
}

/** The port an app listens on for its probes under an environment. */
function probePort(app: AppName, env: Record<string, string>): number {
  return app === 'api'
    ? Number(env.PORT ?? new ApiEnv().PORT)
    : Number(env.WORKER_HEALTH_PORT ?? new WorkerEnv().WORKER_HEALTH_PORT);
}

const SECRET_NAME = /PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|ENCRYPTION_KEY|CREDENTIAL/i;
/** `scheme://user:password@host`: a URL carrying a password. */
const URL_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/[^/:@\s]+:([^@\s]+)@([^/:?\s]+)/i;

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

describe('Kubernetes manifests (docker/k8s): schema', () => {
  it('every document is a valid object of its kind (Kubernetes OpenAPI schema via kubernetes-models)', () => {
    const all = [...applied, ...examples];
    const errors = all.flatMap(({ file, doc }) => {
      const error = schemaErrors(doc);
      return error ? [`${file} ${doc.kind}/${doc.metadata?.name}: ${error}`] : [];
    });
    expect(errors).toEqual([]);
    expect(new Set(applied.map((l) => l.doc.kind))).toEqual(
      new Set(['ConfigMap', 'Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Job']),
    );
    expect(examples.map((l) => l.doc.kind)).toContain('Secret');
  });

  it('the schema check rejects what the schema forbids (control: a string port, a Deployment without selector)', () => {
    const broken = structuredClone(deployments[0]!);
    delete broken.spec.selector;
    broken.spec.template.spec.containers[0].ports = [{ containerPort: 'http' }];
    expect(schemaErrors(broken)).toMatch(
      /selector[\s\S]*containerPort must be integer|containerPort must be integer[\s\S]*selector/,
    );
  });
});

describe('Kubernetes manifests (docker/k8s): what the apps need', () => {
  const apiRoutes = getRoutes(HealthController, MetricsController);

  it('finds one Deployment per app (the checks below would be empty otherwise)', () => {
    expect(deployments.flatMap((d) => d.spec.template.spec.containers.map(appOf)).sort()).toEqual(['api', 'worker']);
    expect(apiRoutes).toEqual(expect.arrayContaining(['/health/live', '/health/ready', '/metrics']));
  });

  it('probes: liveness and readiness on every app container, on paths the app serves and the port it listens on', async () => {
    const problems: string[] = [];
    const workerPaths = new Set<string>();
    for (const deployment of deployments) {
      for (const container of deployment.spec.template.spec.containers as Doc[]) {
        const app = appOf(container);
        const where = `${deployment.metadata.name}/${container.name}`;
        if (!app) {
          problems.push(`${where}: runs neither start:api nor start:worker`);
          continue;
        }
        const env = containerEnv(container);
        for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
          const probe = container[kind];
          if (!probe) {
            if (kind !== 'startupProbe') problems.push(`${where}: no ${kind}`);
            continue;
          }
          if (!probe.httpGet) {
            problems.push(`${where}: ${kind} is not an httpGet`);
            continue;
          }
          const port =
            typeof probe.httpGet.port === 'number'
              ? probe.httpGet.port
              : container.ports?.find((p: Doc) => p.name === probe.httpGet.port)?.containerPort;
          if (port !== probePort(app, env))
            problems.push(
              `${where}: ${kind} port ${probe.httpGet.port} (${port}) is not the port the ${app} listens on (${probePort(app, env)})`,
            );
          if (app === 'api' && !apiRoutes.includes(probe.httpGet.path))
            problems.push(`${where}: ${kind} path ${probe.httpGet.path} is not a route of the api`);
          if (app === 'worker') workerPaths.add(probe.httpGet.path);
        }
        const readiness = container.readinessProbe;
        const budget = shutdownBudget(app, env);
        const toNotice = (readiness?.periodSeconds ?? 10) * (readiness?.failureThreshold ?? 3);
        if (toNotice * 1000 > budget.readinessDelayMs)
          problems.push(
            `${where}: the readiness probe needs ${toNotice} s to see the 503, longer than the readiness delay (${budget.readinessDelayMs} ms)`,
          );
      }
    }
    const answers = await workerAnswers([...workerPaths]);
    for (const [path, status] of Object.entries(answers))
      if (status !== 200) problems.push(`worker answers ${status} on probe path ${path}`);
    expect(problems).toEqual([]);
    expect(workerPaths.size).toBeGreaterThan(0);
  });

  it('the worker health server answers 503 on /health/ready once it drains, 200 on /health/live', async () => {
    expect(await workerAnswers(['/health/ready', '/health/live'], 'draining')).toEqual({
      '/health/ready': 503,
      '/health/live': 200,
    });
  });

  it('resources: requests and limits of cpu and memory on every container of every Deployment and Job', () => {
    const missing = [...deployments, ...jobs].flatMap((workload) =>
      [...(workload.spec.template.spec.initContainers ?? []), ...workload.spec.template.spec.containers].flatMap(
        (c: Doc) =>
          ['requests', 'limits'].flatMap((bound) =>
            ['cpu', 'memory']
              .filter((r) => !c.resources?.[bound]?.[r])
              .map((r) => `${workload.metadata.name}/${c.name}: no ${bound}.${r}`),
          ),
      ),
    );
    expect(missing).toEqual([]);
  });

  it("terminationGracePeriodSeconds covers each app's shutdown (readiness delay + drain or grace)", () => {
    const figures = deployments.flatMap((d) =>
      (d.spec.template.spec.containers as Doc[]).map((c) => {
        const budget = shutdownBudget(appOf(c)!, containerEnv(c));
        const grace = d.spec.template.spec.terminationGracePeriodSeconds ?? 30;
        return {
          deployment: d.metadata.name,
          graceSeconds: grace,
          shutdownSeconds: budget.totalMs / 1000,
          covered: grace >= budget.totalMs / 1000,
        };
      }),
    );
    console.log(`grace periods: ${JSON.stringify(figures)}`);
    expect(figures.filter((f) => !f.covered)).toEqual([]);
  });

  it('labels: each Deployment selects its own pods; Services, the PDB and the HPA target real Deployments and ports', () => {
    const problems: string[] = [];
    const podsOf = (selector: Record<string, string> | undefined) =>
      deployments.filter((d) => matches(selector, d.spec.template.metadata.labels));
    for (const d of deployments) {
      if (!matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels))
        problems.push(`Deployment ${d.metadata.name}: selector does not match its template labels`);
      for (const t of d.spec.template.spec.topologySpreadConstraints ?? []) {
        if (!matches(t.labelSelector?.matchLabels, d.spec.template.metadata.labels))
          problems.push(`Deployment ${d.metadata.name}: topology spread selects other pods`);
      }
    }
    for (const s of ofKind('Service')) {
      const targets = podsOf(s.spec.selector);
      if (targets.length !== 1) problems.push(`Service ${s.metadata.name}: selects ${targets.length} Deployments`);
      const ports = targets.flatMap((d) => d.spec.template.spec.containers.flatMap((c: Doc) => c.ports ?? []));
      for (const p of s.spec.ports) {
        if (!ports.some((cp: Doc) => cp.name === p.targetPort || cp.containerPort === p.targetPort))
          problems.push(`Service ${s.metadata.name}: targetPort ${p.targetPort} is no container port`);
      }
    }
    const worker = deployments.find((d) => d.spec.template.spec.containers.some((c: Doc) => appOf(c) === 'worker'))!;
    const pdbs = ofKind('PodDisruptionBudget').filter((p) => podsOf(p.spec.selector.matchLabels).includes(worker));
    const hpas = ofKind('HorizontalPodAutoscaler').filter(
      (h) =>
        h.spec.scaleTargetRef.kind === 'Deployment' &&
        h.spec.scaleTargetRef.apiVersion === 'apps/v1' &&
        h.spec.scaleTargetRef.name === worker.metadata.name,
    );
    if (pdbs.length !== 1) problems.push(`${pdbs.length} PodDisruptionBudgets select the worker pods`);
    if (hpas.length !== 1) problems.push(`${hpas.length} HorizontalPodAutoscalers target the worker Deployment`);
    if (hpas.length > 0 && worker.spec.replicas !== undefined)
      problems.push('the worker Deployment sets replicas, which the HPA owns (every apply would reset it)');
    if (pdbs[0] && hpas[0] && (pdbs[0].spec.minAvailable ?? 0) >= hpas[0].spec.minReplicas)
      problems.push('the PDB allows no disruption at the HPA minimum');
    for (const p of ofKind('PodDisruptionBudget'))
      if (podsOf(p.spec.selector.matchLabels).length === 0) problems.push(`PDB ${p.metadata.name} selects no pods`);
    expect(problems).toEqual([]);
  });

  it('migrations: one Job runs `npm run migrate` with the owner URL from a Secret, ordered before the apps; no Deployment migrates', () => {
    const migrations = jobs.filter((j) =>
      j.spec.template.spec.containers.some((c: Doc) => (c.command ?? []).join(' ') === scripts.migrate),
    );
    expect(migrations).toHaveLength(1);
    const job = migrations[0]!;
    const container = job.spec.template.spec.containers[0];
    const databaseUrl = container.env?.find((e: Doc) => e.name === 'DATABASE_MIGRATION_URL');
    expect(databaseUrl?.valueFrom?.secretKeyRef).toEqual({
      name: 'crm-migrate-secrets',
      key: 'DATABASE_MIGRATION_URL',
    });
    expect(['Never', 'OnFailure']).toContain(job.spec.template.spec.restartPolicy);
    // Ordered before the Deployments by the tools that apply it (Argo CD wave; the docs give the kubectl sequence).
    expect(Number(job.metadata.annotations?.['argocd.argoproj.io/sync-wave'])).toBeLessThan(0);
    const images = new Set(
      [...deployments, job].flatMap((w) => w.spec.template.spec.containers.map((c: Doc) => c.image)),
    );
    expect(images.size).toBe(1);
    const migratingPods = deployments.flatMap((d) =>
      [...(d.spec.template.spec.initContainers ?? []), ...d.spec.template.spec.containers]
        .filter((c: Doc) => (c.command ?? []).join(' ') === scripts.migrate)
        .map(() => d.metadata.name),
    );
    expect(migratingPods).toEqual([]);
    expect(commandOf('migrate')).toEqual(container.command);
  });

  it('secrets: referenced (secretRef / secretKeyRef), never inlined; every reference names an example Secret and key', () => {
    const problems: string[] = [];
    const exampleSecrets = examples.filter((l) => l.doc.kind === 'Secret').map((l) => l.doc);
    const keysOf = (name: string) => {
      const s = exampleSecrets.find((e) => e.metadata.name === name);
      return s ? Object.keys({ ...s.data, ...s.stringData }) : undefined;
    };
    if (applied.some((l) => l.doc.kind === 'Secret'))
      problems.push('a Secret with values sits among the applied manifests');
    for (const map of ofKind('ConfigMap')) {
      for (const [key, value] of Object.entries<string>(map.data ?? {})) {
        if (SECRET_NAME.test(key) || URL_CREDENTIALS.test(value))
          problems.push(`ConfigMap ${map.metadata.name}: ${key} looks like a secret`);
      }
    }
    for (const workload of [...deployments, ...jobs]) {
      for (const c of [
        ...(workload.spec.template.spec.initContainers ?? []),
        ...workload.spec.template.spec.containers,
      ] as Doc[]) {
        const where = `${workload.metadata.name}/${c.name}`;
        for (const e of c.env ?? []) {
          if (e.value !== undefined && (SECRET_NAME.test(e.name) || URL_CREDENTIALS.test(String(e.value))))
            problems.push(`${where}: ${e.name} has a literal value`);
          const ref = e.valueFrom?.secretKeyRef;
          if (ref && !keysOf(ref.name)?.includes(ref.key))
            problems.push(`${where}: ${e.name} refers to ${ref.name}.${ref.key}, which no example Secret documents`);
        }
        for (const from of c.envFrom ?? [])
          if (from.secretRef && !keysOf(from.secretRef.name))
            problems.push(`${where}: envFrom Secret ${from.secretRef.name} has no example`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('docker/compose.yaml', () => {
  const compose = parseYaml(read('docker/compose.yaml'), { merge: true }) as { services: Record<string, Doc> };
  const services = compose.services;
  const env = (name: string) =>
    Object.fromEntries(
      Object.entries<unknown>(services[name]?.environment ?? {}).map(([k, v]) => [
        k,
        String(v).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1'),
      ]),
    );
  const oneShot = (name: string) => services[name]?.restart === 'no';
  /** The image's CMD (what a service without `command` runs). */
  const imageCommand = (JSON.parse(/^CMD\s+(\[.*\])\s*$/m.exec(read('docker/Dockerfile'))![1]!) as string[]).join(' ');
  const appService = (app: AppName) =>
    Object.keys(services).find(
      (name) =>
        services[name]!.build && (services[name]!.command?.join(' ') ?? imageCommand) === scripts[`start:${app}`],
    )!;
  /** Nothing waits on the Temporal UI, and no shell tool of its image is known here to probe it with. */
  const UNPROBED = new Set(['temporal-ui']);
  const seconds = (duration: string) =>
    [...String(duration).matchAll(/(\d+)(h|m|s)/g)].reduce(
      (sum, [, n, unit]) => sum + Number(n) * { h: 3600, m: 60, s: 1 }[unit as 'h' | 'm' | 's'],
      0,
    );

  it('finds the api, the worker and the migrate service', () => {
    expect([appService('api'), appService('worker')]).toEqual(['api', 'worker']);
    expect(services.migrate?.command).toEqual(commandOf('migrate'));
  });

  it('healthchecks on every long-running service; the apps are probed on the port and path they serve', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      if (oneShot(name) || UNPROBED.has(name)) continue;
      if (!service.healthcheck?.test || service.healthcheck.disable) problems.push(`${name}: no healthcheck`);
    }
    for (const app of ['api', 'worker'] as const) {
      const name = appService(app);
      const url = (services[name]!.healthcheck?.test as string[] | undefined)?.find((part) =>
        part.startsWith('http://'),
      );
      const parsed = url ? new URL(url) : undefined;
      if (Number(parsed?.port) !== probePort(app, env(name)))
        problems.push(`${name}: healthcheck ${url} is not on the port it listens on (${probePort(app, env(name))})`);
      if (parsed?.pathname !== '/health/live')
        problems.push(`${name}: healthcheck ${url} is not its liveness endpoint`);
    }
    expect(problems).toEqual([]);
  });

  it('depends_on: every dependency has a condition that can be met; migrate completes before the api and the worker', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      if (Array.isArray(service.depends_on)) problems.push(`${name}: depends_on without conditions`);
      for (const [target, dependency] of Object.entries<Doc>(service.depends_on ?? {})) {
        if (
          dependency.condition === 'service_healthy' &&
          (!services[target]?.healthcheck?.test || services[target]?.healthcheck?.disable)
        )
          problems.push(`${name}: waits for ${target} to be healthy, which has no healthcheck`);
        else if (dependency.condition === 'service_completed_successfully' && !oneShot(target))
          problems.push(`${name}: waits for ${target} to complete, which restarts`);
        else if (!['service_healthy', 'service_completed_successfully'].includes(dependency.condition))
          problems.push(`${name}: ${target} ${dependency.condition}`);
      }
    }
    for (const app of ['api', 'worker']) {
      if (services[app]?.depends_on?.migrate?.condition !== 'service_completed_successfully')
        problems.push(`${app} does not wait for migrate to complete`);
    }
    expect(problems).toEqual([]);
  });

  it("stop_grace_period covers each app's shutdown (readiness delay + drain or grace)", () => {
    const figures = (['api', 'worker'] as const).map((app) => {
      const name = appService(app);
      return {
        service: name,
        stopGraceSeconds: seconds(services[name]!.stop_grace_period ?? '10s'),
        shutdownSeconds: shutdownBudget(app, env(name)).totalMs / 1000,
      };
    });
    expect(figures.filter((f) => f.stopGraceSeconds < f.shutdownSeconds)).toEqual([]);
  });

  it("secrets: no literal credential except the local Postgres's own (published on loopback only) and overridable ${VAR:-default}s", () => {
    const postgres = services.postgres!;
    const localPassword = String(postgres.environment.POSTGRES_PASSWORD);
    // The application role the compose Postgres creates on its first start (row-level security applies to it).
    const appRolePassword = /CREATE ROLE crm_app LOGIN PASSWORD '([^']+)'/.exec(
      read('docker/postgres-init/10-crm-app-role.sql'),
    )?.[1];
    expect(appRolePassword).toBeDefined();
    expect((postgres.ports as string[]).every((p) => p.startsWith('127.0.0.1:'))).toBe(true);
    const problems: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const [key, raw] of Object.entries<unknown>(service.environment ?? {})) {
        const value = String(raw);
        if (/^\$\{[A-Z0-9_]+:-[^}]*\}$/.test(value)) continue; // the shell's value wins; the default is for this local stack
        const credentials = URL_CREDENTIALS.exec(value);
        if (
          credentials &&
          !([localPassword, appRolePassword].includes(credentials[1]) && credentials[2] === 'postgres')
        )
          problems.push(`${name}: ${key} carries a password for ${credentials[2]}`);
        if (
          SECRET_NAME.test(key) &&
          value !== localPassword &&
          !(name === 'waha-simulator' && key === 'WAHA_SIM_API_KEY')
        )
          problems.push(`${name}: ${key} is a literal secret`);
      }
    }
    expect(problems).toEqual([]);
  });
});
