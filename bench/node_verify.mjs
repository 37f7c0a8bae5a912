// Verification speed of Digital Bazaar's stack (@digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite and
// vc-bitstring-status-list), for bench_verify.py: copied into the vc-peer's folder (its node_modules) and run there.
//   node node_verify.mjs CREDENTIALS.jsonl   -> {"n", "medianMs", "minMs", "verified"}
// Each credential is verified once, in turn, after 5 warm-ups: its did:web document and status lists are fetched
// from the running service over loopback http, as a verifier elsewhere would fetch them (no cache).
import fs from 'node:fs';
import path from 'node:path';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const shared = process.env.SHARED_DATA;
const contexts = new Map();
const index = JSON.parse(fs.readFileSync(path.join(shared, 'contexts', 'index.json')));
for (const [url, meta] of Object.entries(index)) {
  contexts.set(url, JSON.parse(fs.readFileSync(path.join(shared, 'contexts', meta.file))));
}
const elm = JSON.parse(fs.readFileSync(path.join(shared, 'elm', 'edc-ap-context.jsonld')));
contexts.set('http://data.europa.eu/snb/model/context/edc-ap', elm);
contexts.set('https://data.europa.eu/snb/model/context/edc-ap', elm);

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
}

async function documentLoader(url) {
  if (contexts.has(url)) return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  if (url.startsWith('did:web:')) {  // did:web Method Specification, section 3.3 Read (http: loopback only)
    const [did, fragment] = url.split('#');
    const parts = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
    const host = parts.shift();
    const document = await getJson(`http://${host}/${parts.length ? parts.join('/') + '/did.json' : '.well-known/did.json'}`);
    if (!fragment) return {contextUrl: null, documentUrl: url, document};
    const method = (document.verificationMethod || []).find(m => m.id === url || m.id === '#' + fragment);
    return {contextUrl: null, documentUrl: url,
            document: {'@context': 'https://w3id.org/security/multikey/v1', ...method, id: url}};
  }
  if (['127.0.0.1', 'localhost'].includes(new URL(url).hostname)) {
    return {contextUrl: null, documentUrl: url, document: await getJson(url)};
  }
  throw new Error(`refused: ${url}`);
}

const credentials = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map(JSON.parse);
const verify = async credential => {
  const suite = new DataIntegrityProof({cryptosuite});
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  if (!result.verified) throw new Error(JSON.stringify(result.error?.message || result.error || result));
};
for (const credential of credentials.slice(0, 5)) await verify(credential);
const times = [];
for (const credential of credentials.slice(5)) {
  const started = performance.now();
  await verify(credential);
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({n: times.length, medianMs: +times[Math.floor(times.length / 2)].toFixed(2),
                            minMs: +times[0].toFixed(2), verified: true}));
