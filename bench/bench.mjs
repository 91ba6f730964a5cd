// kemu vs kinesalite benchmark driver. Started by run.sh; see README.md.
// Starts each server alone on 127.0.0.1 (free port), measures start-to-ready
// time and idle RSS, creates the streams, then drives each load phase with wrk
// (lua/*.lua) and prints one table with the kemu/kinesalite ratios.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { measureH2Efo } from './h2_efo.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.dirname(here)
const env = process.env
const num = (k, d) => (env[k] !== undefined && env[k] !== '' ? Number(env[k]) : d)

const cfg = {
  phaseSeconds: num('BENCH_SECONDS', 10),
  warmupSeconds: num('BENCH_WARMUP', 2),
  threads: num('BENCH_THREADS', 2),
  connPutRecord: num('BENCH_CONN_PUT', 64),
  connPutRecords: num('BENCH_CONN_PUTS', 16),
  connGetRecords: num('BENCH_CONN_GET', 32),
  getLimit: num('BENCH_GET_LIMIT', 1000),
  prefill: num('BENCH_PREFILL', 10000),
  startupRuns: num('BENCH_STARTUP_RUNS', 3),
  wrk: env.WRK || 'wrk',
  h2load: env.H2LOAD || 'h2load',
  efoRecords: num('BENCH_EFO_RECORDS', 200000),
  pidFile: env.BENCH_PID_FILE || '',
  only: env.BENCH_ONLY || '', // "kemu", "kinesalite", "kemu-disk" or "ceiling" to run one side
  diskPut: num('BENCH_DISK_PUT', 1), // 0: no PutRecord phase for kemu on a data dir
}

const DATA_B64 = fs.readFileSync(path.join(here, 'lua', 'common.lua'), 'utf8').match(/DATA_B64 = "([^"]+)"/)[1]
const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/kinesis/aws4_request, ' +
  'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000'

const log = (...a) => console.error('[bench]', ...a)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// ---------- child process bookkeeping: every server and wrk we start is killed on exit ----------
const children = new Set()
function writePidFile() {
  if (!cfg.pidFile) return
  fs.writeFileSync(cfg.pidFile, [...children].map((c) => c.pid).join('\n') + '\n')
}
function killAll(signal = 'SIGKILL') {
  for (const c of children) { try { process.kill(c.pid, signal) } catch {} }
}
let cfgDir = null // the front door's kemu.yaml (removed on exit)
process.on('exit', () => {
  killAll()
  if (cfgDir) fs.rmSync(cfgDir, { recursive: true, force: true })
})
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => { killAll(); process.exit(130) })

// ---------- servers ----------
function kemuBin() {
  if (env.KEMU_BIN) return env.KEMU_BIN
  for (const p of ['build/release/tools/kemu/kemu', 'build/dev/tools/kemu/kemu']) {
    const f = path.join(repo, p)
    if (fs.existsSync(f)) return f
  }
  return null
}

// The ceiling (bench/ceiling_server.cc): Beast with the edge's threading, parsing the JSON and
// answering a fixed body. Built on demand by run.sh next to the release kemu.
function ceilingBin() {
  if (env.CEILING_BIN) return env.CEILING_BIN
  for (const p of ['build/release/bench/ceiling_server', 'build/dev/bench/ceiling_server']) {
    const f = path.join(repo, p)
    if (fs.existsSync(f)) return f
  }
  return null
}

const servers = {
  kinesalite: {
    name: 'kinesalite',
    cmd: () => [process.execPath, [path.join(here, 'kinesalite-server.js'), '0']],
    ready: /kinesalite listening on http:\/\/127\.0\.0\.1:(\d+)/,
  },
  kemu: {
    name: 'kemu',
    // `loaded`: the run that takes the load also gets a kemu.yaml with the front door's `bench`
    // flow (stream dev-bench-stream, 4 shards) and throttling raised out of the way.
    cmd: (loaded) => {
      const args = ['up', '--port', '0']
      if (loaded) {
        cfgDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-bench-cfg-'))
        fs.writeFileSync(path.join(cfgDir, 'kemu.yaml'), FRONT_DOOR_TOPOLOGY)
        // The API layer is measured here: no processor runs (bench/lambda_bench.py measures those).
        args.push('-c', path.join(cfgDir, 'kemu.yaml'), '--no-lambda')
      }
      if (env.KEMU_STORAGE === 'disk') args.push('--data-dir', fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-bench-')))
      else args.push('--in-memory')
      // AWS's account default of 10,000 rps would otherwise cap the front door.
      args.push('--apigw-account-throttle', 'off')
      if (env.KEMU_ARGS) args.push(...env.KEMU_ARGS.split(/\s+/).filter(Boolean))
      return [kemuBin(), args, {}]
    },
    ready: /kemu listening on http:\/\/127\.0\.0\.1:(\d+)/,
  },
  // kemu on a fresh data dir (the default storage: RocksDB's WAL written before each answer),
  // PutRecord only, in the same run as the in-memory kemu.
  'kemu-disk': {
    name: 'kemu-disk',
    putOnly: true,
    cmd: () => {
      const args = ['up', '--port', '0', '--no-lambda', '--data-dir', fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-bench-'))]
      if (env.KEMU_ARGS) args.push(...env.KEMU_ARGS.split(/\s+/).filter(Boolean))
      return [kemuBin(), args, {}]
    },
    ready: /kemu listening on http:\/\/127\.0\.0\.1:(\d+)/,
  },
  ceiling: {
    name: 'ceiling',
    putOnly: true,
    noStreams: true,
    cmd: () => [ceilingBin(), ['--port', '0'], {}],
    ready: /ceiling listening on http:\/\/127\.0\.0\.1:(\d+)/,
  },
}

// Spawns the server and resolves once its "listening" line is on stdout.
function start(server, loaded = false) {
  const [bin, args, extraEnv] = server.cmd(loaded)
  const t0 = process.hrtime.bigint()
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...extraEnv } })
  children.add(child)
  writePidFile()
  const dataDir = args.includes('--data-dir') ? args[args.indexOf('--data-dir') + 1] : null
  const proc = { child, pid: child.pid, out: '', err: '', logBytes: 0, readyAt: null, dataDir, bin, args }
  child.stderr.on('data', (d) => { proc.logBytes += d.length; proc.err = (proc.err + d).slice(-8192) })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${server.name}: not ready after 20 s\n${proc.out}${proc.err}`)), 20000)
    child.on('error', (e) => { clearTimeout(timer); reject(new Error(`${server.name}: cannot start ${bin}: ${e.message}`)) })
    child.on('exit', (code, sig) => {
      children.delete(child)
      writePidFile()
      proc.exited = { code, sig }
      if (proc.readyAt === null) { clearTimeout(timer); reject(new Error(`${server.name} exited (${code ?? sig}) before ready:\n${proc.out}${proc.err}`)) }
    })
    child.stdout.on('data', (d) => {
      if (proc.readyAt !== null) { proc.logBytes += d.length; return }
      proc.out += d
      const m = proc.out.match(server.ready)
      if (m) {
        proc.readyAt = process.hrtime.bigint()
        proc.startupMs = Number(proc.readyAt - t0) / 1e6
        proc.port = Number(m[1])
        proc.logBytes = 0
        clearTimeout(timer)
        resolve(proc)
      }
    })
  })
}

async function stop(proc) {
  if (proc.exited) return
  const done = new Promise((r) => proc.child.once('exit', r))
  try { proc.child.kill('SIGTERM') } catch {}
  const t = setTimeout(() => { try { proc.child.kill('SIGKILL') } catch {} }, 3000)
  await done
  clearTimeout(t)
  if (proc.dataDir) fs.rmSync(proc.dataDir, { recursive: true, force: true })
}

function procStatus(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (k) => Number((s.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm')) || [0, NaN])[1])
  return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024, threads: Number((s.match(/^Threads:\s+(\d+)/m) || [0, NaN])[1]) }
}

// CPU seconds (user + system) the process has used so far.
const CLK_TCK = 100
function procCpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ') // fields from 3 on
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK // utime, stime
}

// CPU seconds the whole machine has spent busy (all cores; /proc/stat).
function machineBusySeconds() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f
  return (user + nice + system + irq + softirq + steal) / CLK_TCK
}

// ---------- AWS JSON 1.1 calls used for setup ----------
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
function call(port, op, body) {
  const data = Buffer.from(JSON.stringify(body))
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/', agent, timeout: 30000,
      headers: {
        'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `Kinesis_20131202.${op}`,
        'Authorization': AUTH, 'X-Amz-Date': '20261126T000000Z', 'Content-Length': data.length,
      },
    }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        let json = null
        try { json = JSON.parse(text) } catch {}
        resolve({ status: res.statusCode, text, json })
      })
    })
    req.on('timeout', () => req.destroy(new Error(`${op}: timeout`)))
    req.on('error', reject)
    req.end(data)
  })
}
async function must(port, op, body) {
  const r = await call(port, op, body)
  if (r.status !== 200) throw new Error(`${op} -> HTTP ${r.status}: ${r.text.slice(0, 500)}`)
  return r.json
}

async function createQueue(port, name) {
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    // kemu answers an unsigned request MissingAuthenticationToken, as AWS does.
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.CreateQueue',
               'Authorization': AUTH, 'X-Amz-Date': '20261126T000000Z' },
    body: JSON.stringify({ QueueName: name, Attributes: { VisibilityTimeout: '60' } }),
  })
  if (!res.ok) throw new Error(`CreateQueue ${name}: HTTP ${res.status} ${await res.text()}`)
}

async function createActive(port, name, shards) {
  await must(port, 'CreateStream', { StreamName: name, ShardCount: shards })
  const t0 = Date.now()
  for (;;) {
    const d = await must(port, 'DescribeStream', { StreamName: name })
    if (d.StreamDescription.StreamStatus === 'ACTIVE') return d.StreamDescription
    if (Date.now() - t0 > 15000) throw new Error(`${name} not ACTIVE after 15 s (${d.StreamDescription.StreamStatus})`)
    await sleep(50)
  }
}

// Puts `count` records into `stream` (500 per PutRecords), resending failed ones.
async function prefill(port, stream, count) {
  let pending = []
  for (let i = 0; i < count; i++) pending.push({ Data: DATA_B64, PartitionKey: `pk-${i}` })
  let failures = 0
  const t0 = Date.now()
  while (pending.length) {
    const batch = pending.splice(0, 500)
    const r = await must(port, 'PutRecords', { StreamName: stream, Records: batch })
    if (r.FailedRecordCount) {
      failures += r.FailedRecordCount
      r.Records.forEach((x, i) => { if (x.ErrorCode) pending.push(batch[i]) })
      if (Date.now() - t0 > 60000) throw new Error(`prefill: records still failing after 60 s: ${JSON.stringify(r.Records.find((x) => x.ErrorCode))}`)
      await sleep(100)
    }
  }
  return failures
}

// ---------- wrk ----------
function runWrk(port, script, conns, seconds, extraEnv) {
  const args = [`-t${Math.min(cfg.threads, conns)}`, `-c${conns}`, `-d${seconds}s`, '--timeout', '30s',
    '-s', path.join(here, 'lua', script), `http://127.0.0.1:${port}/`]
  return new Promise((resolve, reject) => {
    const w = spawn(cfg.wrk, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(w)
    writePidFile()
    let out = ''
    w.stdout.on('data', (d) => { out += d })
    w.stderr.on('data', (d) => { out += d })
    w.on('error', (e) => reject(new Error(`cannot run ${cfg.wrk}: ${e.message}`)))
    w.on('exit', (code) => {
      children.delete(w)
      writePidFile()
      const line = out.split('\n').find((l) => l.startsWith('BENCH '))
      if (code !== 0 || !line) return reject(new Error(`wrk ${script} failed (exit ${code}):\n${out}`))
      resolve(JSON.parse(line.slice(6)))
    })
  })
}

const FRONT_DOOR_TOPOLOGY = `version: 1
environment: dev
api:
  throttling_rate_limit: 1000000000
  throttling_burst_limit: 2000000000
event_flows:
  - event_type: bench
    shard_count: 4
    lambda_source_path: lambda/bench
`

const phases = [
  {
    key: 'putRecord', label: 'PutRecord requests/s', script: 'put_record.lua', conns: () => cfg.connPutRecord,
    env: () => ({ BENCH_STREAM: 'bench' }),
    value: (r) => (r.statuses['200'] || 0) / (r.duration_us / 1e6),
    stored: (r) => r.statuses['200'] || 0,
  },
  {
    key: 'putRecords', label: 'PutRecords records/s (500/call)', script: 'put_records.lua', conns: () => cfg.connPutRecords,
    env: () => ({ BENCH_STREAM: 'bench' }),
    value: (r) => r.records_ok / (r.duration_us / 1e6),
    stored: (r) => r.records_ok,
  },
  {
    key: 'getRecords', label: 'GetRecords records/s', script: 'get_records.lua', conns: () => cfg.connGetRecords,
    env: (ctx) => ({ BENCH_STREAM: 'bench-get', BENCH_SHARD: ctx.getShard, BENCH_LIMIT: String(cfg.getLimit) }),
    value: (r) => r.records / (r.duration_us / 1e6),
    stored: () => 0,
  },
  // kemu only: the API Gateway front door over the same store, same 100-byte records.
  {
    key: 'apigwEvent', label: 'front door events requests/s', script: 'apigw_event.lua', conns: () => cfg.connPutRecord,
    env: () => ({ BENCH_EVENT_TYPE: 'bench' }), kemuOnly: true, baseline: 'putRecord',
    value: (r) => (r.statuses['200'] || 0) / (r.duration_us / 1e6),
    stored: (r) => r.statuses['200'] || 0,
  },
  {
    key: 'apigwBatch', label: 'front door batch records/s (500)', script: 'apigw_batch.lua', conns: () => cfg.connPutRecords,
    env: () => ({ BENCH_EVENT_TYPE: 'bench' }), kemuOnly: true, baseline: 'putRecords',
    value: (r) => r.records_ok / (r.duration_us / 1e6),
    stored: (r) => r.records_ok,
  },
  // kemu only: SQS on the same port (AWS JSON 1.0). The send phase fills the queue the
  // consumers then drain.
  {
    key: 'sqsSend', label: 'SQS SendMessage requests/s', script: 'sqs_send.lua', conns: () => cfg.connPutRecord,
    env: () => ({ BENCH_QUEUE: 'bench-q' }), kemuOnly: true,
    value: (r) => (r.statuses['200'] || 0) / (r.duration_us / 1e6),
    stored: () => 0,
  },
  {
    key: 'sqsReceiveDelete', label: 'SQS messages received+deleted/s', script: 'sqs_receive_delete.lua', conns: () => cfg.connPutRecords,
    env: () => ({ BENCH_QUEUE: 'bench-q' }), kemuOnly: true,
    value: (r) => r.deleted / (r.duration_us / 1e6),
    stored: () => 0,
  },
  // kemu only, measured by h2_efo.mjs (h2load and node clients), not wrk.
  { key: 'putRecordH2', label: 'PutRecord requests/s, HTTP/2', kemuOnly: true, external: true },
  { key: 'putRecordH2Mux', label: 'PutRecord req/s, HTTP/2 4x16 mux', kemuOnly: true, external: true },
  { key: 'efoH2', label: 'SubscribeToShard records/s, h2', kemuOnly: true, external: true },
  { key: 'efoH1', label: 'SubscribeToShard records/s, h1.1', kemuOnly: true, external: true },
]

// Runs each phase (a warm-up, then the measured run) against a started server.
async function runPhases(server, proc, res, ctx, list) {
  for (const ph of list) {
    if (ph.kemuOnly && server.name !== 'kemu') continue
    if (ph.external) continue
    if (cfg.warmupSeconds > 0) {
      const w = await runWrk(proc.port, ph.script, ph.conns(), cfg.warmupSeconds, ph.env(ctx))
      res.recordsStored += ph.stored(w)
    }
    const cpu0 = procCpuSeconds(proc.pid), all0 = machineBusySeconds()
    const r = await runWrk(proc.port, ph.script, ph.conns(), cfg.phaseSeconds, ph.env(ctx))
    r.serverCores = (procCpuSeconds(proc.pid) - cpu0) / (r.duration_us / 1e6)
    r.machineCores = (machineBusySeconds() - all0) / (r.duration_us / 1e6)
    r.value = ph.value(r)
    res.recordsStored += ph.stored(r)
    res.phases[ph.key] = r
    const non200 = Object.entries(r.statuses).filter(([c]) => c !== '200')
    const se = Object.entries(r.socket_errors).filter(([, n]) => n > 0)
    log(`${server.name}: ${ph.label}: ${Math.round(r.value)} (${r.responses} responses, p50 ${(r.latency_us.p50 / 1000).toFixed(1)} ms, p99 ${(r.latency_us.p99 / 1000).toFixed(1)} ms, server busy ${r.serverCores.toFixed(2)} of ${r.machineCores.toFixed(2)} busy cores)`)
    for (const [c, n] of non200) res.problems.push(`${ph.label}: ${n} x HTTP ${c}, e.g. ${r.samples[c]}`)
    if (se.length) res.problems.push(`${ph.label}: socket errors ${se.map(([k, n]) => `${k}=${n}`).join(' ')}`)
    if (r.records_failed) res.problems.push(`${ph.label}: ${r.records_failed} records failed inside 200 replies`)
    if (r.bad_replies) res.problems.push(`${ph.label}: ${r.bad_replies} replies without a usable iterator`)
    if (r.empty_receives) res.problems.push(`${ph.label}: ${r.empty_receives} receives found the queue empty (it ran dry)`)
    if (proc.exited) throw new Error(`${server.name} exited during ${ph.label}: ${JSON.stringify(proc.exited)}\n${proc.err}`)
  }
}

async function measure(server, res) {
  // Start-to-ready time: median of a few fresh starts (the last one is the one we load).
  const times = []
  for (let i = 1; i < (server.putOnly ? 1 : cfg.startupRuns); i++) {
    const p = await start(server)
    times.push(p.startupMs)
    await stop(p)
  }
  const proc = await start(server, true)
  times.push(proc.startupMs)
  res.startupRuns = times
  res.startupMs = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]
  log(`${server.name}: ready on port ${proc.port} in ${times.map((t) => t.toFixed(1)).join(', ')} ms (pid ${proc.pid})`)
  try {
    await sleep(1000) // settle, then idle memory before any request
    const idle = procStatus(proc.pid)
    res.idleRssMB = idle.rssMB
    res.idleThreads = idle.threads

    if (server.putOnly) {
      res.recordsStored = 0
      if (!server.noStreams) await createActive(proc.port, 'bench', 4)
      await runPhases(server, proc, res, {}, phases.filter((p) => p.key === 'putRecord'))
      return res
    }
    if (server.name === 'kemu') await createQueue(proc.port, 'bench-q')
    const s = await createActive(proc.port, 'bench', 4)
    const g = await createActive(proc.port, 'bench-get', 1)
    const ctx = { getShard: g.Shards[0].ShardId }
    log(`${server.name}: streams ACTIVE (bench: ${s.Shards.length} shards, bench-get: ${g.Shards.length}); prefilling ${cfg.prefill} records`)
    const pf0 = Date.now()
    const refused = await prefill(proc.port, 'bench-get', cfg.prefill)
    res.recordsStored = cfg.prefill
    if (refused) res.problems.push(`prefill: ${refused} records refused by PutRecords and resent`)
    log(`${server.name}: prefill done in ${Date.now() - pf0} ms`)

    await runPhases(server, proc, res, ctx, phases)
    if (server.name === 'kemu') {
      await measureH2Efo({
        cfg, auth: AUTH, dataB64: DATA_B64, must, createActive, prefill, log,
        track: (p) => { children.add(p); writePidFile() },
        untrack: (p) => { children.delete(p); writePidFile() },
        cores: async (pid, fn) => {
          const cpu0 = procCpuSeconds(pid), all0 = machineBusySeconds(), t0 = Date.now()
          const result = await fn()
          const secs = (Date.now() - t0) / 1000
          return { result, serverCores: (procCpuSeconds(pid) - cpu0) / secs, machineCores: (machineBusySeconds() - all0) / secs }
        },
      }, proc, res)
    }
    const after = procStatus(proc.pid)
    res.loadedRssMB = after.rssMB
    res.peakRssMB = after.hwmMB
    res.logBytes = proc.logBytes
  } finally {
    await stop(proc)
  }
  return res
}

// ---------- report ----------
function fmt(v, digits = 0) {
  if (v === undefined || v === null || Number.isNaN(v)) return '-'
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

const perRecord = (r) => (r?.loadedRssMB && r.recordsStored ? ((r.loadedRssMB - r.idleRssMB) * 1048576) / r.recordsStored : undefined)

function report(results, notes) {
  const k = results.kemu, l = results.kinesalite
  const rows = [
    ...phases.map((ph) => [ph.label, k?.phases[ph.key]?.value, l?.phases[ph.key]?.value, 0, 'higher is better']),
    ['start to ready, ms (median)', k?.startupMs, l?.startupMs, 1, 'lower is better'],
    ['idle RSS, MB', k?.idleRssMB, l?.idleRssMB, 1, 'lower is better'],
    ['RSS after load, MB', k?.loadedRssMB, l?.loadedRssMB, 1, 'holds every record put', true],
    ['records held after load', k?.recordsStored, l?.recordsStored, 0, '', true],
    ['RSS growth per record held, B', perRecord(k), perRecord(l), 0, 'lower is better'],
  ]
  const w = [34, 14, 14, 16]
  const line = (c) => c[0].padEnd(w[0]) + c[1].padStart(w[1]) + c[2].padStart(w[2]) + c[3].padStart(w[3]) + (c[4] ? '   ' + c[4] : '')
  const out = []
  out.push('')
  out.push(`kemu vs kinesalite: wrk ${cfg.threads} threads, ${cfg.phaseSeconds} s per phase after ${cfg.warmupSeconds} s warm-up, 127.0.0.1, ${os.cpus().length} CPUs`)
  out.push(`connections: PutRecord ${cfg.connPutRecord}, PutRecords ${cfg.connPutRecords}, GetRecords ${cfg.connGetRecords} (Limit ${cfg.getLimit}, ${cfg.prefill} records in one shard)`)
  out.push('')
  out.push(line(['figure', 'kemu', 'kinesalite', 'kemu/kinesalite', '']))
  out.push('-'.repeat(w.reduce((a, b) => a + b)))
  for (const [label, kv, lv, d, note, noRatio] of rows) {
    const ratio = !noRatio && kv !== undefined && lv ? kv / lv : undefined
    out.push(line([label, fmt(kv, d), fmt(lv, d), ratio === undefined ? '-' : fmt(ratio, 2) + 'x', note]))
  }
  out.push('')
  out.push(`cores busy during each phase, server / whole machine (wrk and anything else), of ${os.cpus().length}:`)
  for (const ph of phases.filter((p) => !p.kemuOnly || k)) {
    const c = (r) => (r?.phases[ph.key] ? `${fmt(r.phases[ph.key].serverCores, 2)} / ${fmt(r.phases[ph.key].machineCores, 2)}` : '-')
    out.push('  ' + ph.label.padEnd(w[0] - 2) + c(k).padStart(w[1]) + c(l).padStart(w[2]))
  }
  // PutRecord over HTTP/1.1 on every server of the run: kemu in memory and on a data dir,
  // kinesalite, and the ceiling (Beast with the edge's threading, no store).
  const put = [['kemu, --in-memory', k], ['kemu, data dir', results['kemu-disk']], ['kinesalite', l], ['ceiling', results.ceiling]]
    .filter(([, r]) => r?.phases.putRecord)
  const ceil = results.ceiling?.phases.putRecord?.value
  if (put.length) {
    out.push('')
    out.push(`PutRecord over HTTP/1.1 (${cfg.connPutRecord} connections), side by side:`)
    const pw = [20, 10, 9, 9, 15, 12, 14]
    const pl = (c) => c.map((x, i) => (i ? String(x).padStart(pw[i]) : String(x).padEnd(pw[i]))).join('')
    out.push(pl(['server', 'req/s', 'p50 ms', 'p99 ms', 'x kinesalite', 'x ceiling', 'cores busy']))
    for (const [name, r] of put) {
      const ph = r.phases.putRecord
      const lv = l?.phases.putRecord?.value
      out.push(pl([name, fmt(ph.value), fmt(ph.latency_us.p50 / 1000, 2), fmt(ph.latency_us.p99 / 1000, 2),
        lv ? fmt(ph.value / lv, 2) + 'x' : '-', ceil ? fmt(ph.value / ceil, 2) : '-',
        `${fmt(ph.serverCores, 2)} / ${fmt(ph.machineCores, 2)}`]))
    }
  }
  for (const r of [k, l, results['kemu-disk'], results.ceiling].filter(Boolean)) {
    if (r.problems.length) {
      out.push('')
      out.push(`${r.name} problems:`)
      for (const p of r.problems) out.push('  ' + p)
    }
    if (r.logBytes > 1 << 20) notes.push(`${r.name} wrote ${fmt(r.logBytes / 1048576, 1)} MB of logs to stdout/stderr under load`)
  }
  for (const ph of phases.filter((p) => p.baseline && k?.phases[p.key] && k?.phases[p.baseline])) {
    const base = phases.find((p) => p.key === ph.baseline)
    notes.push(`kemu ${ph.label} / ${base.label}: ${fmt(k.phases[ph.key].value / k.phases[ph.baseline].value, 2)}x (the gateway layer's cost)`)
  }
  if (notes.length) { out.push(''); for (const n of notes) out.push('note: ' + n) }
  console.log(out.join('\n'))
}

async function main() {
  const results = {}
  const notes = []
  let failed = false
  const bin = kemuBin()
  const order = cfg.only ? [cfg.only] : ['kinesalite', 'kemu', ...(cfg.diskPut ? ['kemu-disk'] : []), 'ceiling']
  for (const name of order) {
    if (name === 'ceiling') {
      const cb = ceilingBin()
      if (!cb || !fs.existsSync(cb)) {
        notes.push('ceiling_server not found (build/release/bench/ceiling_server); set CEILING_BIN or build the target ceiling_server')
        continue
      }
      log(`ceiling binary: ${cb}`)
    }
    if (name === 'kemu-disk' && (!bin || !fs.existsSync(bin))) continue
    if (name === 'kemu-disk' && cfg.only && bin.includes('/build/dev/')) notes.push(`kemu binary is a debug build (${bin}); measure a release build`)
    if (name === 'kemu') {
      if (!bin || !fs.existsSync(bin)) {
        notes.push(`kemu binary not found (${bin || 'build/release/tools/kemu/kemu, build/dev/tools/kemu/kemu'}); set KEMU_BIN`)
        failed = true
        continue
      }
      if (bin.includes('/build/dev/') || bin.includes('/build/asan/')) notes.push(`kemu binary is a debug build (${bin}); measure a release build`)
      log(`kemu binary: ${bin}`)
    }
    results[name] = { name, phases: {}, problems: [] }
    try {
      await measure(servers[name], results[name])
    } catch (e) {
      failed = true
      notes.push(`${name} run aborted: ${e.message}`)
      log(`${name}: ${e.message}`)
    }
  }
  if (env.BENCH_JSON) fs.writeFileSync(env.BENCH_JSON, JSON.stringify({ cfg, results }, null, 2))
  report(results, notes)
  agent.destroy()
  process.exitCode = failed ? 1 : 0
}

main().catch((e) => { console.error(e); killAll(); process.exit(1) })
