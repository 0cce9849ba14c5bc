import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { SecretCipher } from '@app/shared';
import { AppModule } from '../../apps/api/src/app.module';
import { WorkerModule } from '../../apps/worker/src/worker.module';

/**
 * The env the deployment files give each app must pass that app's own start-up config validation
 * with NODE_ENV=production (the image's), so a container never exits at start for a variable the
 * files forgot. The validators are found by walking each app's real module graph: every
 * `registerAs` config (ConfigModule.forRoot load / forFeature) and the SecretCipher factory. A
 * config or required variable added later is covered without touching this test.
 */
const repo = join(__dirname, '..', '..');
const readRepoFile = (path: string) => readFileSync(join(repo, path), 'utf8');

type Env = Record<string, string>;
type StartupCheck = { name: string; run: () => unknown };

/** `ENV a=b \` lines of the runtime stage of the Dockerfile (the last stage). */
function imageEnv(): Env {
  const dockerfile = readRepoFile('docker/Dockerfile').replace(/\\\r?\n/g, ' ');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env: Env = {};
  for (const line of runtime.split('\n').filter((l) => /^ENV\s/.test(l))) {
    for (const [, key, value] of line.slice(4).matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g))
      env[key!] = value!.replace(/^"|"$/g, '');
  }
  return env;
}

/** Compose's interpolation against an empty shell environment (a fresh `docker compose up`). */
function interpolate(value: string, where: string): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (match, _name: string, op?: string, arg?: string) => {
      if (match === '$$') return '$';
      if (op === ':-' || op === '-') return arg ?? '';
      if (op === ':?' || op === '?') throw new Error(`${where}: ${match} needs a value from the shell`);
      return '';
    },
  );
}

function composeEnv(service: string): Env {
  const compose = parseYaml(readRepoFile('docker/compose.yaml'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, unknown> | string[] }>;
  };
  const environment = compose.services[service]?.environment;
  if (!environment) throw new Error(`compose.yaml: service ${service} has no environment`);
  const entries = Array.isArray(environment)
    ? environment.map((e) => e.split(/=(.*)/s).slice(0, 2) as [string, string])
    : Object.entries(environment);
  return Object.fromEntries(
    entries.map(([key, value]) => [key, interpolate(String(value ?? ''), `compose ${service}.${key}`)]),
  );
}

interface K8sObject {
  kind: string;
  metadata: { name: string };
  data?: Env;
  stringData?: Env;
  spec?: {
    template: {
      spec: {
        containers: {
          name: string;
          envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
          env?: { name: string; value?: string }[];
        }[];
      };
    };
  };
}

function k8sObjects(path: string): K8sObject[] {
  return parseAllDocuments(readRepoFile(path))
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** envFrom (ConfigMap and the example Secret), then env, as the kubelet builds it. */
function k8sEnv(deploymentFile: string, container: string): Env {
  const sources = [
    ...k8sObjects('docker/k8s/configmap.yaml'),
    ...k8sObjects('docker/k8s/examples/secret.example.yaml'),
  ];
  const deployment = k8sObjects(deploymentFile).find((o) => o.kind === 'Deployment');
  const spec = deployment?.spec?.template.spec.containers.find((c) => c.name === container);
  if (!spec) throw new Error(`${deploymentFile}: no container ${container}`);
  const env: Env = {};
  for (const from of spec.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const source = sources.find((o) => o.kind === kind && o.metadata.name === ref?.name);
    if (!source) throw new Error(`${deploymentFile}: ${kind} ${ref?.name} is not in docker/k8s`);
    Object.assign(env, source.data, source.stringData);
  }
  for (const item of spec.env ?? []) env[item.name] = item.value ?? '';
  return env;
}

/** Every config factory and the SecretCipher factory reachable from an app's root module. */
async function startupChecks(root: Type): Promise<StartupCheck[]> {
  const checks = new Map<string, StartupCheck>();
  const seen = new Set<unknown>();
  const visitProviders = (providers: Provider[] = []) => {
    for (const provider of providers) {
      if (typeof provider !== 'object' || !('useFactory' in provider)) continue;
      const token = provider.provide;
      const isConfig =
        typeof token === 'string' && token.startsWith('CONFIGURATION(') && (provider.inject ?? []).length === 0;
      if (isConfig || token === SecretCipher) {
        const name = typeof token === 'string' ? token : 'SecretCipher';
        checks.set(name, { name, run: () => (provider.useFactory as () => unknown)() });
      }
    }
  };
  const visit = async (entry: unknown): Promise<void> => {
    const module = (await entry) as Type | DynamicModule | undefined;
    if (!module || seen.has(module)) return;
    seen.add(module);
    const isDynamic = typeof module === 'object' && 'module' in module;
    const cls = isDynamic ? module.module : module;
    if (isDynamic) {
      visitProviders(module.providers);
      for (const imported of module.imports ?? []) await visit(imported);
    }
    visitProviders(Reflect.getMetadata('providers', cls) as Provider[] | undefined);
    for (const imported of (Reflect.getMetadata('imports', cls) as unknown[] | undefined) ?? []) await visit(imported);
  };
  await visit(root);
  return [...checks.values()];
}

/** Runs every check with exactly `env` as the process environment; answers the failures. */
function failuresUnder(env: Env, checks: StartupCheck[]): string[] {
  const saved = process.env;
  process.env = { ...env };
  try {
    return checks.flatMap((check) => {
      try {
        check.run();
        return [];
      } catch (error) {
        return [`${check.name}: ${(error as Error).message}`];
      }
    });
  } finally {
    process.env = saved;
  }
}

describe('deployment files give each app every variable its production config requires', () => {
  const apps: { app: string; root: Type; compose: string; k8s: [string, string] }[] = [
    { app: 'api', root: AppModule, compose: 'api', k8s: ['docker/k8s/api-deployment.yaml', 'api'] },
    { app: 'worker', root: WorkerModule, compose: 'worker', k8s: ['docker/k8s/worker-deployment.yaml', 'worker'] },
  ];

  it('finds the config validation of both apps, including the secrets key (the check would be empty otherwise)', async () => {
    for (const { app, root } of apps) {
      expect((await startupChecks(root)).map((c) => c.name)).toContain(`CONFIGURATION(${app})`);
      const names = (await startupChecks(root)).map((c) => c.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'SecretCipher',
          'CONFIGURATION(database)',
          'CONFIGURATION(temporal)',
          'CONFIGURATION(channel)',
        ]),
      );
      // Production without a key must fail, or this test could not catch the missing key.
      expect(
        failuresUnder({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@db/crm' }, await startupChecks(root)).join(
          '\n',
        ),
      ).toContain('SECRETS_ENCRYPTION_KEY');
    }
    expect(imageEnv()).toMatchObject({ NODE_ENV: 'production' });
  });

  it.each(apps)('$app: docker/compose.yaml (over the image env)', async ({ root, compose }) => {
    const env = { ...imageEnv(), ...composeEnv(compose) };
    expect(failuresUnder(env, await startupChecks(root))).toEqual([]);
  });

  it.each(apps)(
    '$app: the Kubernetes Deployment with the ConfigMap and the example Secret (over the image env)',
    async ({ root, k8s }) => {
      const env = { ...imageEnv(), ...k8sEnv(...k8s) };
      expect(failuresUnder(env, await startupChecks(root))).toEqual([]);
    },
  );
});
