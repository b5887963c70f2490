/**
 * Ed25519 keys of a workspace. Private keys live in `.rtt/keys/<name>.key` (PKCS#8 PEM, mode
 * 0600, in a 0700 folder); a signer's public key in `.rtt/trust/<name>.pub` (SPKI PEM), which is
 * what makes it trusted. The panel's own key (`panel`) signs capability tokens and the audit
 * head; its public half stays in `.rtt/keys/panel.pub`, so it never counts as a manifest signer.
 *
 * A key is known by its id, not its file name: the first 16 bytes of SHA-256 over the raw 32-byte
 * public key, in hex. Renaming a trust file keeps signatures valid; two files holding the same
 * key are one key.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readStateFile, refuseLinks } from "@rtt/connector-sdk/state-files.ts";
import { errorMessage } from "@rtt/core/error-message.ts";
import { RttError } from "@rtt/core/errors.ts";
import { IDENT_PATTERN } from "@rtt/core/schemas/common.ts";
import { keyIdOf } from "@rtt/core/tokens/ed25519.ts";
import { writeFileAtomic } from "../workspace/atomic-write.ts";

// The Ed25519 primitives are core's (drivers check route tokens with them too).
export { keyIdOf, signBytes, verifyBytes } from "@rtt/core/tokens/ed25519.ts";

export const KEYS_DIR = "keys";
export const TRUST_DIR = "trust";
/** The panel's own key: tokens and the audit head are signed with it. */
export const PANEL_KEY_NAME = "panel";

const KEY_NAME = new RegExp(IDENT_PATTERN);

export interface SigningKey {
  readonly name: string;
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export interface TrustedKey {
  readonly name: string;
  readonly keyId: string;
  readonly publicKey: KeyObject;
  /** The trust file it was read from. */
  readonly file: string;
}

export function checkKeyName(name: string): void {
  if (!KEY_NAME.test(name))
    throw new RttError("RTT_ERR_KEY", `key name ${JSON.stringify(name)} is not allowed`, {
      hint: "use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit",
    });
}

const privatePath = (rttDir: string, name: string) => join(rttDir, KEYS_DIR, `${name}.key`);

/**
 * Makes a new key pair called `name`: the private key under `.rtt/keys/` (0600, never
 * overwritten), the public key under `.rtt/trust/` — or beside the private key for the panel's
 * own, which signs tokens, not manifests.
 */
export function generateSigningKey(
  rttDir: string,
  name: string,
): SigningKey & { publicFile: string } {
  checkKeyName(name);
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const keysDir = join(rttDir, KEYS_DIR);
  // A linked keys folder would get the key (and the chmod below) wherever it points.
  refuseLinks(keysDir);
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  chmodSync(keysDir, 0o700);
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  try {
    // "wx": an existing key is never replaced; mode 0600 from the first byte.
    writeFileSync(privatePath(rttDir, name), pem, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST")
      throw new RttError("RTT_ERR_KEY", `a key called ${name} exists already`, {
        hint: `pick another --name, or delete ${privatePath(rttDir, name)} first`,
      });
    throw error;
  }
  const publicFile =
    name === PANEL_KEY_NAME ? join(keysDir, `${name}.pub`) : join(rttDir, TRUST_DIR, `${name}.pub`);
  writeFileAtomic(publicFile, publicKey.export({ format: "pem", type: "spki" }).toString());
  return { name, keyId: keyIdOf(publicKey), privateKey, publicKey, publicFile };
}

/** The private key called `name`, refused when others than the owner can read it. */
export function loadSigningKey(rttDir: string, name: string): SigningKey {
  checkKeyName(name);
  const path = privatePath(rttDir, name);
  let pem: string;
  try {
    pem = readStateFile(path);
  } catch (error) {
    if (error instanceof RttError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new RttError("RTT_ERR_KEY", `no key called ${name}`, {
        hint: "make one with `rtt keys generate --name NAME`",
      });
    throw new RttError("RTT_ERR_KEY", `cannot read ${path}: ${errorMessage(error)}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new RttError("RTT_ERR_KEY", `${path} is not a private key: ${errorMessage(error)}`);
  }
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new RttError("RTT_ERR_KEY", `${path} is not an Ed25519 key`);
  const publicKey = createPublicKey(privateKey);
  return { name, keyId: keyIdOf(publicKey), privateKey, publicKey };
}

/** The panel's key, made on first use. */
export function panelKey(rttDir: string): SigningKey {
  try {
    return loadSigningKey(rttDir, PANEL_KEY_NAME);
  } catch (error) {
    if (!(error instanceof RttError) || !error.message.startsWith("no key called")) throw error;
    try {
      return generateSigningKey(rttDir, PANEL_KEY_NAME);
    } catch (raced) {
      // Two processes made it at once: the one whose file landed first wins.
      if (raced instanceof RttError && raced.message.includes("exists already"))
        return loadSigningKey(rttDir, PANEL_KEY_NAME);
      throw raced;
    }
  }
}

/**
 * The trusted signers: every `.rtt/trust/*.pub`, by key id. A file that is not an Ed25519
 * public key is an error naming it, not a key silently left out.
 */
export function loadTrustedKeys(rttDir: string): ReadonlyMap<string, TrustedKey> {
  const dir = join(rttDir, TRUST_DIR);
  // Trust read through a link would be someone else's choice of signers.
  refuseLinks(dir);
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((f) => f.endsWith(".pub"))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw error;
  }
  const keys = new Map<string, TrustedKey>();
  for (const fileName of names) {
    const file = join(dir, fileName);
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey(readStateFile(file));
    } catch (error) {
      if (error instanceof RttError) throw error;
      throw new RttError("RTT_ERR_KEY", `${file} is not a public key: ${errorMessage(error)}`, {
        hint: "a trust file holds one Ed25519 public key in PEM (SPKI), as `rtt keys generate` writes",
      });
    }
    if (publicKey.asymmetricKeyType !== "ed25519")
      throw new RttError("RTT_ERR_KEY", `${file} is not an Ed25519 public key`);
    const keyId = keyIdOf(publicKey);
    if (!keys.has(keyId)) keys.set(keyId, { name: fileName.slice(0, -4), keyId, publicKey, file });
  }
  return keys;
}
