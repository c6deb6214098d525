// The Digital Credentials Consortium's verifier (the Learner Credential Wallet's) on one credential.
//
//   node verify_credential.mjs MODULES_DIR CREDENTIAL_FILE CONTEXTS_FILE PORTAL_BASE_URL LIVE_SERVER_URL
//
// Offline: every fetch the verifier makes is answered here. Addresses of the portal go to the live
// test server; the contexts and schemas in CONTEXTS_FILE (a JSON object, URL to file) are served
// from disk; anything else fails and is reported on stderr. Prints the verifier's result as JSON.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modulesDir, credentialFile, contextsFile, portalBaseUrl, liveServerUrl] = process.argv.slice(2);
const require = createRequire(join(modulesDir, 'node_modules', 'noop.js'));
const local = new Map();
for (const [url, file] of Object.entries(JSON.parse(readFileSync(contextsFile, 'utf8')))) {
  local.set(url, readFileSync(file, 'utf8'));
}
const realFetch = globalThis.fetch;
globalThis.fetch = async (resource, options) => {
  const url = typeof resource === 'string' ? resource : (resource.url ?? String(resource));
  const headers = options?.headers ?? (typeof resource === 'object' ? resource.headers : undefined);
  if (url.startsWith(portalBaseUrl + '/')) {
    const response = await realFetch(liveServerUrl + url.slice(portalBaseUrl.length), { headers });
    process.stderr.write(`fetched ${url}: ${response.status} ${response.headers.get('content-type')}\n`);
    return response;
  }
  const withoutFragment = url.split('#')[0];
  if (local.has(withoutFragment)) {
    process.stderr.write(`served from disk ${withoutFragment}\n`);
    return new Response(local.get(withoutFragment), { status: 200, headers: { 'content-type': 'application/json' } });
  }
  process.stderr.write(`refused (offline) ${url}\n`);
  throw new TypeError(`offline: ${url}`);
};

const entry = require.resolve('@digitalcredentials/verifier-core');
const { verifyCredential } = await import(pathToFileURL(entry).href);
const credential = JSON.parse(readFileSync(credentialFile, 'utf8'));
const result = await verifyCredential({ credential, knownDIDRegistries: [] });
delete result.credential;
process.stdout.write(JSON.stringify(result, (key, value) => (key === 'stackTrace' ? String(value) : value), 2));
