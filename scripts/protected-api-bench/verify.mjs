// aws-jwt-verify on the tokens the Rust benchmark minted, on one core:
//   node verify.mjs TOKENS.json [ROUNDS]
// TOKENS.json: {"userPoolId", "clientId", "jwks", "tokens": [...]}.
// aws-jwt-verify fetches a JWKS over https only, so the JWKS is handed to
// it with cacheJwks, as its README shows for offline use. Prints one JSON
// object: the fastest round's nanoseconds per verification.
import { readFileSync } from "node:fs";
import { CognitoJwtVerifier } from "aws-jwt-verify";

const [file, roundsText = "5"] = process.argv.slice(2);
if (!file) {
  console.error("usage: node verify.mjs TOKENS.json [ROUNDS]");
  process.exit(2);
}
const input = JSON.parse(readFileSync(file, "utf8"));
const rounds = Number(roundsText);

const verifier = CognitoJwtVerifier.create({
  userPoolId: input.userPoolId,
  tokenUse: "access",
  clientId: input.clientId,
});
verifier.cacheJwks(input.jwks);

// Every token must verify (a wrong setup would otherwise measure errors).
for (const token of input.tokens) verifier.verifySync(token);

let best = Infinity;
for (let round = 0; round < rounds; round++) {
  const started = process.hrtime.bigint();
  for (const token of input.tokens) verifier.verifySync(token);
  const nanos = Number(process.hrtime.bigint() - started) / input.tokens.length;
  best = Math.min(best, nanos);
}

// The same verdict as the Rust verifier's on a tampered signature.
const first = input.tokens[0];
const at = first.lastIndexOf(".") + 10;
const tampered = first.slice(0, at) + (first[at] === "A" ? "B" : "A") + first.slice(at + 1);
let refusedTampered = false;
try {
  verifier.verifySync(tampered);
} catch {
  refusedTampered = true;
}

// The package's exports leave out package.json: read it from the folder.
const { version } = JSON.parse(
  readFileSync(new URL("./node_modules/aws-jwt-verify/package.json", import.meta.url), "utf8"),
);
console.log(
  JSON.stringify({
    version,
    node: process.version,
    nanosPerVerification: best,
    verificationsPerSecond: 1e9 / best,
    refusedTampered,
  }),
);
