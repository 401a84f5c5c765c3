#!/usr/bin/env node
// ort_run.js - the reference runner for real models: runs an ONNX model with
// ONNX Runtime's CPU build (onnxruntime-node, installed by
// scripts/fetch-onnxruntime.sh into third_party/onnxruntime) on a raw
// little-endian float32 input and writes its first output the same way.
// A test tool, not part of aclsub.
//
//   node tests/ref/ort_run.js MODEL.onnx SHAPE INPUT.raw OUTPUT.raw [--threads N] [--time N]
//
// SHAPE is the first input's shape, e.g. 1,3,48,320; INPUT.raw must hold
// exactly that many floats.  --threads sets intraOpNumThreads (0, the
// default, lets ONNX Runtime choose: one per physical core).  --time N runs N
// timed executions after 3 untimed ones and prints the median in
// microseconds as "ort_run_us=...".  Prints "output_shape=..." and the
// runtime version.  ORT_NODE_DIR overrides where onnxruntime-node is found.
'use strict';
const fs = require('fs');
const path = require('path');

function die(msg, code) {
    process.stderr.write('ort_run: ' + msg + '\n');
    process.exit(code || 1);
}

const args = process.argv.slice(2);
let threads = 0, timed = 0;
const pos = [];
for (let i = 0; i < args.length; i++) {
    if (args[i] === '--threads') threads = parseInt(args[++i], 10);
    else if (args[i] === '--time') timed = parseInt(args[++i], 10);
    else pos.push(args[i]);
}
if (pos.length !== 4 || !(threads >= 0) || !(timed >= 0))
    die('usage: ort_run.js MODEL.onnx SHAPE INPUT.raw OUTPUT.raw [--threads N] [--time N]', 2);
const [modelPath, shapeArg, inPath, outPath] = pos;

const pkg = process.env.ORT_NODE_DIR ||
    path.join(__dirname, '..', '..', 'third_party', 'onnxruntime', 'node_modules', 'onnxruntime-node');
if (!fs.existsSync(path.join(pkg, 'package.json')))
    die(`ONNX Runtime is missing: ${pkg} (run ./install-deps.sh; it runs scripts/fetch-onnxruntime.sh)`, 3);
const ort = require(pkg);

const shape = shapeArg.split(',').map((s) => parseInt(s, 10));
if (shape.some((d) => !(d > 0))) die(`bad shape ${shapeArg}`, 2);
const count = shape.reduce((a, b) => a * b, 1);
const bytes = fs.readFileSync(inPath);
if (bytes.length !== count * 4) die(`${inPath}: ${bytes.length} bytes, shape ${shapeArg} needs ${count * 4}`);
const data = new Float32Array(count);
for (let i = 0; i < count; i++) data[i] = bytes.readFloatLE(i * 4);

async function main() {
    const opts = { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1,
        executionMode: 'sequential', graphOptimizationLevel: 'all' };
    const session = await ort.InferenceSession.create(modelPath, opts);
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
    let results = await session.run(feeds);
    const first = results[session.outputNames[0]];
    if (first.type !== 'float32') die(`first output is ${first.type}, not float32`);
    const out = Buffer.alloc(first.data.length * 4);
    for (let i = 0; i < first.data.length; i++) out.writeFloatLE(first.data[i], i * 4);
    fs.writeFileSync(outPath, out);
    console.log('output_shape=' + first.dims.join(','));
    console.log('ort_version=' + (ort.env.versions && ort.env.versions.node || 'unknown'));
    if (timed > 0) {
        for (let i = 0; i < 3; i++) await session.run(feeds);
        const times = [];
        for (let i = 0; i < timed; i++) {
            const t0 = process.hrtime.bigint();
            results = await session.run(feeds);
            times.push(Number(process.hrtime.bigint() - t0) / 1e3);
        }
        times.sort((a, b) => a - b);
        console.log('ort_run_us=' + times[Math.floor(timed / 2)].toFixed(1));
    }
    await session.release();
}

main().catch((e) => die(String(e && e.stack || e)));
