// kemu-only phases for HTTP/2 and enhanced fan-out, called by bench.mjs after the wrk phases:
//   - PutRecord over HTTP/2 with h2load (Debian's nghttp2-client): prior knowledge, the same
//     100-byte record, 64 connections × 1 stream (as wrk's 64 HTTP/1.1 connections), then
//     4 connections × 16 multiplexed streams.
//   - SubscribeToShard delivery: a 1-shard stream prefilled with BENCH_EFO_RECORDS records is
//     read from TRIM_HORIZON by one subscription, over HTTP/2 (node:http2, with KCL's 512 KiB
//     stream window) and over HTTP/1.1 (chunked, node:http); records/s = records decoded by the
//     client / time from the call to the last record. The client parses every message's
//     prelude and JSON payload (it does not check the CRCs).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import http2 from 'node:http2'
import os from 'node:os'
import path from 'node:path'

const HEADERS = (auth, op) => ({
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': `Kinesis_20131202.${op}`,
  'x-amz-date': '20261126T000000Z',
  authorization: auth,
})

function runH2load(h, port, conns, streams, seconds, warmup) {
  const body = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-h2load-')), 'body.json')
  fs.writeFileSync(body, JSON.stringify({ StreamName: 'bench', Data: h.dataB64, PartitionKey: 'pk-h2' }))
  const args = ['-t', String(Math.min(h.cfg.threads, conns)), '-c', String(conns), '-m', String(streams),
    '-D', String(seconds), `--warm-up-time=${warmup}`, '-d', body]
  for (const [k, v] of Object.entries(HEADERS(h.auth, 'PutRecord'))) args.push('-H', `${k}: ${v}`)
  args.push(`http://127.0.0.1:${port}/`)
  return new Promise((resolve, reject) => {
    const p = spawn(h.cfg.h2load, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    h.track(p)
    let out = ''
    p.stdout.on('data', (d) => { out += d })
    p.stderr.on('data', (d) => { out += d })
    p.on('error', (e) => reject(new Error(`cannot run ${h.cfg.h2load}: ${e.message} (apt-get install nghttp2-client)`)))
    p.on('exit', (code) => {
      h.untrack(p)
      fs.rmSync(path.dirname(body), { recursive: true, force: true })
      const fin = out.match(/finished in ([\d.]+)(m?s)/)
      const codes = out.match(/status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/)
      const proto = (out.match(/Application protocol: (\S+)/) || [])[1]
      if (code !== 0 || !fin || !codes) return reject(new Error(`h2load failed (exit ${code}):\n${out}`))
      const secs = Number(fin[1]) / (fin[2] === 'ms' ? 1000 : 1)
      resolve({ seconds: secs, ok: Number(codes[1]), bad: Number(codes[3]) + Number(codes[4]), proto, out })
    })
  })
}

// Counts records in an event stream; resolves when `want` records arrived.
function decoder(want, onDone) {
  let buf = Buffer.alloc(0)
  let parts = []
  let queued = 0
  let records = 0
  let lastAt = 0
  return (chunk) => {
    // Join chunks only once a whole message is there (a 1 MiB event comes in ~100 frames).
    parts.push(chunk)
    queued += chunk.length
    const need = buf.length >= 4 ? buf.readUInt32BE(0) : 12
    if (buf.length + queued < need) return
    buf = Buffer.concat([buf, ...parts])
    parts = []
    queued = 0
    while (buf.length >= 12) {
      const total = buf.readUInt32BE(0)
      if (buf.length < total) break
      const hl = buf.readUInt32BE(4)
      const headers = buf.subarray(12, 12 + hl).toString('latin1')
      if (headers.includes('SubscribeToShardEvent')) {
        const ev = JSON.parse(buf.subarray(12 + hl, total - 4).toString())
        records += ev.Records.length
        lastAt = performance.now()
      } else if (headers.includes(':exception-type')) {
        onDone(new Error(`exception event: ${buf.subarray(12 + hl, total - 4)}`))
      }
      buf = buf.subarray(total)
    }
    if (records >= want) onDone(null, { records, lastAt })
  }
}

function subscribeH2(h, port, body, want) {
  return new Promise((resolve, reject) => {
    // KCL's stream window (512 KiB) and a 16 MiB connection window: Node's 64 KiB default
    // would make the client's WINDOW_UPDATEs, not kemu, the limit.
    const session = http2.connect(`http://127.0.0.1:${port}`, { settings: { initialWindowSize: 512 << 10 } })
    session.on('connect', () => session.setLocalWindowSize(16 << 20))
    session.on('error', reject)
    const t0 = performance.now()
    const req = session.request({ ':method': 'POST', ':path': '/', ...HEADERS(h.auth, 'SubscribeToShard') })
    let done = false
    const finish = (err, r) => {
      if (done) return
      done = true
      req.close()
      session.close()
      if (err) reject(err)
      else resolve({ records: r.records, seconds: (r.lastAt - t0) / 1000 })
    }
    req.on('data', decoder(want, finish))
    req.on('end', () => finish(new Error('event stream ended early')))
    req.end(JSON.stringify(body))
  })
}

function subscribeH1(h, port, body, want) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body))
    const t0 = performance.now()
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/',
      headers: { ...HEADERS(h.auth, 'SubscribeToShard'), 'content-length': data.length } }, (res) => {
      let done = false
      const finish = (err, r) => {
        if (done) return
        done = true
        req.destroy()
        if (err) reject(err)
        else resolve({ records: r.records, seconds: (r.lastAt - t0) / 1000 })
      }
      if (res.statusCode !== 200) return finish(new Error(`SubscribeToShard: HTTP ${res.statusCode}`))
      res.on('data', decoder(want, finish))
      res.on('end', () => finish(new Error('event stream ended early')))
    })
    req.on('error', reject)
    req.end(data)
  })
}

async function activeConsumer(h, port, streamArn, name) {
  const c = (await h.must(port, 'RegisterStreamConsumer', { StreamARN: streamArn, ConsumerName: name })).Consumer
  for (;;) {
    const d = await h.must(port, 'DescribeStreamConsumer', { ConsumerARN: c.ConsumerARN })
    if (d.ConsumerDescription.ConsumerStatus === 'ACTIVE') return c.ConsumerARN
    await new Promise((r) => setTimeout(r, 100))
  }
}

// h: { cfg, auth, dataB64, must, createActive, prefill, track, untrack, log, cores(pid, fn) }
export async function measureH2Efo(h, proc, res) {
  const port = proc.port
  for (const [key, conns, streams] of [['putRecordH2', h.cfg.connPutRecord, 1], ['putRecordH2Mux', 4, 16]]) {
    const { result, serverCores, machineCores } = await h.cores(proc.pid,
      () => runH2load(h, port, conns, streams, h.cfg.phaseSeconds, h.cfg.warmupSeconds))
    const value = result.ok / result.seconds
    res.phases[key] = { value, serverCores, machineCores, proto: result.proto }
    res.recordsStored += result.ok
    if (result.proto !== 'h2c') res.problems.push(`h2load ${key}: application protocol ${result.proto}, not h2c`)
    if (result.bad) res.problems.push(`h2load ${key}: ${result.bad} non-2xx replies`)
    h.log(`kemu: ${key}: ${Math.round(value)} req/s (${conns} connections × ${streams} streams, ${result.proto})`)
  }
  const n = h.cfg.efoRecords
  const g = await h.createActive(port, 'bench-efo', 1)
  await h.prefill(port, 'bench-efo', n)
  res.recordsStored += n
  const arn = (await h.must(port, 'DescribeStreamSummary', { StreamName: 'bench-efo' })).StreamDescriptionSummary.StreamARN
  for (const [key, fn, name] of [['efoH2', subscribeH2, 'bench-h2'], ['efoH1', subscribeH1, 'bench-h1']]) {
    const consumer = await activeConsumer(h, port, arn, name)
    const body = { ConsumerARN: consumer, ShardId: g.Shards[0].ShardId, StartingPosition: { Type: 'TRIM_HORIZON' } }
    const { result, serverCores, machineCores } = await h.cores(proc.pid, () => fn(h, port, body, n))
    res.phases[key] = { value: result.records / result.seconds, serverCores, machineCores }
    h.log(`kemu: ${key}: ${result.records} records in ${result.seconds.toFixed(3)} s`)
  }
}
