// A wallet for the OpenID4VCI tests, driven by the OpenWallet Foundation's client libraries
// (@openid4vc/openid4vci, @openid4vc/oauth2): from the offer URI to the stored credential.
//
//   node wallet.mjs OFFER_URI TX_CODE|- Ed25519|P-256 did:key|did:jwk OUT.json
//
// resolves the offer (credential_offer_uri), fetches the issuer's and the authorization server's metadata, gets an
// access token with the pre-authorized code (and the transaction code), a c_nonce from the nonce endpoint, signs the
// proof JWT with the wallet's key through the library's signJwt callback, requests the credential and stores it
// in OUT.json as {"holder", "credential", "configurationId"}. Exit status 1 with the library's error otherwise.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2'
import { Openid4vciClient, setGlobalConfig } from '@openid4vc/openid4vci'

// The service under test runs on http://127.0.0.1 (no TLS in the test suite).
setGlobalConfig({ allowInsecureUrls: true })

const [offerUri, txArg, curve, method, outPath] = process.argv.slice(2)
const b64url = (buf) => Buffer.from(buf).toString('base64url')

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
function base58btc(bytes) {
  let n = BigInt('0x' + Buffer.from(bytes).toString('hex'))
  let out = ''
  while (n > 0n) { out = B58[Number(n % 58n)] + out; n /= 58n }
  for (const b of bytes) { if (b !== 0) break; out = '1' + out }
  return 'z' + out
}

const { privateKey, publicKey } = curve === 'P-256'
  ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
  : generateKeyPairSync('ed25519')
const jwk = publicKey.export({ format: 'jwk' })
const alg = curve === 'P-256' ? 'ES256' : 'EdDSA'

function didKey() {
  if (curve === 'P-256') {
    const x = Buffer.from(jwk.x, 'base64url')
    const y = Buffer.from(jwk.y, 'base64url')
    return 'did:key:' + base58btc(Buffer.concat([Buffer.from([0x80, 0x24, 2 + (y[31] & 1)]), x]))
  }
  return 'did:key:' + base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), Buffer.from(jwk.x, 'base64url')]))
}
const members = curve === 'P-256' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
const holder = method === 'did:jwk' ? 'did:jwk:' + b64url(JSON.stringify(members)) : didKey()
const didUrl = method === 'did:jwk' ? `${holder}#0` : `${holder}#${holder.slice('did:key:'.length)}`

const callbacks = {
  fetch: globalThis.fetch,
  // pre-authorized_grant_anonymous_access_supported: the wallet is a public client
  clientAuthentication: clientAuthenticationAnonymous(),
  generateRandom: (n) => randomBytes(n),
  hash: (data, algorithm) => createHash(algorithm.replace('-', '').toLowerCase()).update(data).digest(),
  signJwt: async (signer, { header, payload }) => {
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
    const signature = curve === 'P-256'
      ? sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
      : sign(null, Buffer.from(input), privateKey)
    return { jwt: `${input}.${b64url(signature)}`, signerJwk: members }
  },
}

try {
  const client = new Openid4vciClient({ callbacks })
  const credentialOffer = await client.resolveCredentialOffer(offerUri)
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer)
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer, issuerMetadata, txCode: txArg === '-' ? undefined : txArg,
  })
  const { c_nonce: nonce } = await client.requestNonce({ issuerMetadata })
  const credentialConfigurationId = credentialOffer.credential_configuration_ids[0]
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata, credentialConfigurationId, nonce, signer: { method: 'did', didUrl, alg },
  })
  const { credentialResponse } = await client.retrieveCredentials({
    issuerMetadata, credentialConfigurationId, accessToken: accessTokenResponse.access_token, proofs: { jwt: [jwt] },
  })
  writeFileSync(outPath, JSON.stringify({
    holder, configurationId: credentialConfigurationId, version: issuerMetadata.originalDraftVersion,
    credential: credentialResponse.credentials[0].credential,
  }, null, 2))
} catch (error) {
  console.error(error?.message ?? error, error?.errorResponse ?? error?.credentialResponseResult ?? '')
  process.exit(1)
}
