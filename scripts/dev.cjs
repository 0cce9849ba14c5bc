#!/usr/bin/env node
// `npm run dev`: runs the whole system on one machine, nothing to install by hand.
//   Postgres  : DATABASE_URL if set (migrations as DATABASE_MIGRATION_URL, or DATABASE_URL), else an embedded
//               PostgreSQL under .data/postgres (port 54329): migrated as its superuser, the apps connect as the
//               application role crm_app (docs/row-level-security.md)
//   Temporal  : TEMPORAL_ADDRESS if set, else `temporal server start-dev` (gRPC 7233, UI 8233, db in .data/)
//   API       : http://localhost:3000 (Swagger at /docs), worker health on :8081
//   WAHA      : the simulator on http://localhost:3100, wired to a demo channel of the dev tenant, holding a
//               small WhatsApp history (20 chats x 40 messages, seed 1, the newest chat a minute old) to import
// Ctrl-C stops everything it started.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { randomBytes } = require('node:crypto');
const net = require('node:net');
const path = require('node:path');
const { DevPostgresError, startEmbeddedPostgres } = require('./dev-postgres.cjs');

const root = path.resolve(__dirname, '..');
/** The role RowLevelSecurity1764892800000 creates for the apps. */
const APP_ROLE = 'crm_app';
const dataDir = path.join(root, '.data');
const children = [];
const cleanups = [];
let stopping = false;

function log(msg) {
  process.stdout.write(`[dev] ${msg}\n`);
}

function run(cmd, args, env = process.env) {
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env });
}

function start(name, cmd, args, env) {
  const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} exited (${signal ?? code}); stopping everything`);
      void shutdown(1);
    }
  });
  children.push({ name, child });
  return child;
}

function waitForPort(port, host = '127.0.0.1', timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect(port, host);
      socket.once('connect', () => {
        socket.end();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 250);
      });
    };
    attempt();
  });
}

/** The owner's URL (migrations) and the application role's (api, worker). */
async function startPostgres() {
  if (process.env.DATABASE_URL) {
    log(`using DATABASE_URL`);
    return {
      migrationUrl: process.env.DATABASE_MIGRATION_URL ?? process.env.DATABASE_URL,
      appUrl: process.env.DATABASE_URL,
    };
  }
  const port = Number(process.env.DEV_POSTGRES_PORT ?? 54329);
  const pg = await startEmbeddedPostgres({
    databaseDir: path.join(dataDir, 'postgres'),
    port,
    log,
    onError: (message) => process.stderr.write(`[postgres] ${message}\n`),
  });
  cleanups.push(() => pg.stop());
  log(`embedded PostgreSQL on 127.0.0.1:${port}`);
  return { migrationUrl: pg.url, appUrl: pg.url };
}

/** The migration creates the application role NOLOGIN; the embedded server lets it log in with a
 *  local password, so the apps run under row-level security as they do when deployed. */
async function appRoleUrl(ownerUrl) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`ALTER ROLE ${APP_ROLE} LOGIN PASSWORD '${APP_ROLE}'`);
  } finally {
    await client.end();
  }
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = APP_ROLE;
  return url.toString();
}

async function startTemporal() {
  if (process.env.TEMPORAL_ADDRESS) {
    log(`using TEMPORAL_ADDRESS=${process.env.TEMPORAL_ADDRESS}`);
    return process.env.TEMPORAL_ADDRESS;
  }
  const cli = execFileSync('bash', [path.join(root, 'scripts/ensure-temporal-cli.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  start(
    'temporal',
    cli,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      '7233',
      '--ui-port',
      '8233',
      '--db-filename',
      path.join(dataDir, 'temporal.db'),
      '--log-level',
      'warn',
      ...require('./temporal-dev-args.cjs').TEMPORAL_DEV_SERVER_ARGS,
    ],
    process.env,
  );
  await waitForPort(7233);
  log('Temporal dev server on 127.0.0.1:7233, UI http://localhost:8233');
  return '127.0.0.1:7233';
}

function devApiKey() {
  if (process.env.DEV_API_KEY) return process.env.DEV_API_KEY;
  const file = path.join(dataDir, 'dev-api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = `crm_dev_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

async function api(method, path, apiKey, body) {
  const res = await fetch(`http://127.0.0.1:${process.env.PORT ?? '3000'}${path}`, {
    method,
    headers: { 'x-api-key': apiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The demo channel of the dev tenant, pointing at the simulator, and the simulator's webhooks
 *  pointing back at the channel (with its HMAC secret, rotated on every start so it is known). */
async function wireDemoChannel(apiKey, simUrl, simKey) {
  const name = 'Demo WhatsApp (simulator)';
  const settings = {
    wahaBaseUrl: simUrl,
    wahaApiKey: simKey,
    sessionTimeoutSeconds: 300,
    sessionWarningLeadSeconds: 60,
    sessionWarningText: 'Are you still there? This conversation closes in a minute.',
  };
  const list = await api('GET', '/v1/channels?limit=200', apiKey);
  let channel = list.data.find((c) => c.name === name);
  let secret;
  if (channel) {
    await api('PATCH', `/v1/channels/${channel.id}`, apiKey, settings);
    secret = (await api('POST', `/v1/channels/${channel.id}/rotate-webhook-secret`, apiKey, {})).webhookSecret;
  } else {
    channel = await api('POST', '/v1/channels', apiKey, { name, ...settings });
    secret = channel.webhookSecret;
  }
  const port = process.env.PORT ?? '3000';
  const res = await fetch(`${simUrl}/_sim/webhook`, {
    method: 'POST',
    headers: { 'x-api-key': simKey, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${port}/v1/channels/${channel.id}/waha/events`, hmacKey: secret }),
  });
  if (!res.ok) throw new Error(`simulator webhook setup failed: ${res.status}`);
  return channel.id;
}

/** The simulator's history data set (it loads it at start), for the summary line; null with another profile. */
async function historySummary(simUrl, simKey) {
  const res = await fetch(`${simUrl}/_sim/history-dataset`, { headers: { 'x-api-key': simKey } });
  return res.ok ? res.json() : null;
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  log('stopping...');
  for (const { child } of [...children].reverse()) {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  await Promise.all(
    children.map(({ child }) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : null)),
  );
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  process.exit(code);
}

async function main() {
  mkdirSync(dataDir, { recursive: true });
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  log('building (npm run build)');
  run('npm', ['run', '--silent', 'build']);
  const postgres = await startPostgres();
  run('node', ['dist/libs/database/src/migrate.js'], { ...process.env, DATABASE_MIGRATION_URL: postgres.migrationUrl });
  const databaseUrl = process.env.DATABASE_URL ? postgres.appUrl : await appRoleUrl(postgres.migrationUrl);
  const temporalAddress = await startTemporal();
  const apiKey = devApiKey();
  const port = process.env.PORT ?? '3000';
  const env = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    DEV_API_KEY: apiKey,
    PORT: port,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // Local runs may point webhook subscriptions at receivers on this machine (http://127.0.0.1:...).
    WEBHOOK_ALLOW_HTTP: process.env.WEBHOOK_ALLOW_HTTP ?? 'true',
    WEBHOOK_ALLOWED_CIDRS: process.env.WEBHOOK_ALLOWED_CIDRS ?? '127.0.0.0/8',
    // The WAHA simulator runs on this machine: its loopback address must be allowed explicitly.
    WAHA_ALLOWED_CIDRS: process.env.WAHA_ALLOWED_CIDRS ?? '127.0.0.0/8,::1',
    // No load balancer to leave: Ctrl-C stops the apps without the readiness delay.
    SHUTDOWN_READINESS_DELAY_MS: process.env.SHUTDOWN_READINESS_DELAY_MS ?? '0',
  };
  const simPort = process.env.WAHA_SIM_PORT ?? '3100';
  const simKey = process.env.WAHA_SIM_API_KEY ?? 'sim-api-key';
  const simUrl = `http://127.0.0.1:${simPort}`;
  // A history to import from Swagger: deterministic (seed 1), the newest chat ending a minute before start so its
  // conversation is still open. WAHA_SIM_SEED_* from the environment win (WAHA_SIM_SEED_CHATS=0: none).
  const simSeed = {
    WAHA_SIM_SEED_PROFILE: process.env.WAHA_SIM_SEED_PROFILE ?? 'history',
    WAHA_SIM_SEED_CHATS: process.env.WAHA_SIM_SEED_CHATS ?? '20',
    WAHA_SIM_SEED_MESSAGES: process.env.WAHA_SIM_SEED_MESSAGES ?? '40',
    WAHA_SIM_SEED: process.env.WAHA_SIM_SEED ?? '1',
    WAHA_SIM_SEED_RECENT_CHATS: process.env.WAHA_SIM_SEED_RECENT_CHATS ?? '1',
  };
  start('waha-simulator', process.execPath, ['dist/apps/waha-simulator/src/main.js'], {
    ...env,
    ...simSeed,
    WAHA_SIM_PORT: simPort,
    WAHA_SIM_API_KEY: simKey,
    LOG_LEVEL: 'warn',
  });
  start('worker', process.execPath, ['dist/apps/worker/src/main.js'], env);
  start('api', process.execPath, ['dist/apps/api/src/main.js'], env);
  await waitForPort(Number(port));
  await waitForPort(Number(simPort));
  const channelId = await wireDemoChannel(apiKey, simUrl, simKey);
  const history = await historySummary(simUrl, simKey);

  log('');
  log(`API        http://localhost:${port}      Swagger UI http://localhost:${port}/docs`);
  log(`Temporal   ${temporalAddress}${process.env.TEMPORAL_ADDRESS ? '' : '   UI http://localhost:8233'}`);
  log(`Worker     health http://localhost:${process.env.WORKER_HEALTH_PORT ?? 8081}/health/ready`);
  log(`API key    ${apiKey}   (dev tenant; stored in .data/dev-api-key)`);
  log(`WAHA sim   ${simUrl} (X-Api-Key: ${simKey}); demo channel ${channelId}`);
  if (history) {
    log(
      `History    ${history.chats} chats, ${history.distinctMessages} messages (seed ${history.seed}) to import into the demo channel;`,
    );
    log(
      `           ground truth: curl -s -H 'x-api-key: ${simKey}' '${simUrl}/_sim/history-dataset/truth?messages=false'`,
    );
  }
  log(
    `Try        curl -s -H 'x-api-key: ${simKey}' -H 'content-type: application/json' -d '{"from":"5511999990001","text":"Oi! Quero saber do plano Pro","pushName":"Ana"}' ${simUrl}/_sim/inbound`,
  );
  log(`then       curl -s -H 'x-api-key: ${apiKey}' 'http://localhost:${port}/v1/messages?channelId=${channelId}'`);
  log('Ctrl-C stops everything.');
}

main().catch((err) => {
  // A known start-up problem is one line saying what to do; anything else keeps its stack.
  process.stderr.write(`[dev] ${err instanceof DevPostgresError ? err.message : err && err.stack ? err.stack : err}\n`);
  void shutdown(1);
});
