// A Lambda Invoke API server for the end-to-end suite: it runs handler modules written as they
// would be deployed (`export const handler = async (event) => ...`) and records every event.
//
//   PUT  /_functions/{name}                       the handler module's source
//   POST /2015-03-31/functions/{name}/invocations the Invoke API (RequestResponse)
//   GET  /_invocations/{name}                     [{event, answer, authorization, qualifier}]
//   POST /kms/                                    a stand-in for KMS: GenerateDataKey, Decrypt
//   GET  /_kms                                    [{target, authorization, body}, ...]
//
// Handler modules are written under .functions/ beside this file, so that they import the
// packages of node_modules as deployed code does.
// A handler that throws answers as AWS Lambda does (200, X-Amz-Function-Error: Unhandled,
// {errorType, errorMessage}); `globalThis.rawAnswer(text)` makes a handler answer `text` as it
// is (not JSON); an unknown function is ResourceNotFoundException. The server prints
// `PORT <n>` once listening, and exits when its standard input closes.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const functionsDir = join(dirname(fileURLToPath(import.meta.url)), '.functions');
mkdirSync(functionsDir, { recursive: true });
const kmsCalls = [];

const handlers = new Map();
const invocations = new Map();
const RAW = Symbol('raw');
globalThis.rawAnswer = (text) => ({ [RAW]: text });

function read(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const parts = url.pathname.split('/').map(decodeURIComponent);
  try {
    if (req.method === 'PUT' && parts[1] === '_functions') {
      const source = await read(req);
      const file = join(functionsDir, `${parts[2]}.mjs`);
      writeFileSync(file, source);
      const module = await import(pathToFileURL(file).href);
      handlers.set(parts[2], module.handler);
      invocations.set(parts[2], []);
      return send(res, 200, {});
    }
    if (req.method === 'GET' && parts[1] === '_kms') {
      return send(res, 200, kmsCalls);
    }
    if (req.method === 'POST' && parts[1] === 'kms') {
      const target = req.headers['x-amz-target'];
      const body = JSON.parse(await read(req));
      kmsCalls.push({ target, authorization: req.headers.authorization ?? null, body });
      const kmsJson = { 'content-type': 'application/x-amz-json-1.1' };
      if (target === 'TrentService.GenerateDataKey') {
        const key = randomBytes(32);
        const blob = Buffer.from(JSON.stringify({ keyId: body.KeyId, key: key.toString('base64') }));
        return send(res, 200, { KeyId: body.KeyId, Plaintext: key.toString('base64'),
          CiphertextBlob: blob.toString('base64') }, kmsJson);
      }
      if (target === 'TrentService.Decrypt') {
        const blob = JSON.parse(Buffer.from(body.CiphertextBlob, 'base64').toString());
        return send(res, 200, { KeyId: blob.keyId, Plaintext: blob.key,
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }, kmsJson);
      }
      return send(res, 400, { __type: 'UnsupportedOperationException' }, kmsJson);
    }
    if (req.method === 'GET' && parts[1] === '_invocations') {
      return send(res, 200, invocations.get(parts[2]) ?? []);
    }
    if (req.method === 'POST' && parts[1] === '2015-03-31' && parts[4] === 'invocations') {
      const name = parts[3];
      const handler = handlers.get(name);
      if (!handler) {
        return send(res, 404, { Type: 'User', message: `Function not found: ${name}` },
          { 'x-amzn-errortype': 'ResourceNotFoundException' });
      }
      const event = JSON.parse(await read(req));
      const record = {
        event: structuredClone(event),
        authorization: req.headers.authorization ?? null,
        qualifier: url.searchParams.get('Qualifier'),
      };
      invocations.get(name).push(record);
      let answer;
      try {
        answer = await handler(event, { functionName: name });
        record.answer = answer ?? null;
      } catch (e) {
        return send(res, 200, { errorType: e?.name ?? 'Error', errorMessage: e?.message ?? String(e), trace: [] },
          { 'x-amz-function-error': 'Unhandled' });
      }
      if (answer && answer[RAW] !== undefined) return send(res, 200, answer[RAW]);
      return send(res, 200, JSON.stringify(answer ?? null));
    }
    send(res, 404, { message: 'no such route' });
  } catch (e) {
    send(res, 500, { message: String(e) });
  }
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
