// Browser-held Ed25519 keys and OpenSSH signatures (SSHSIG) for louyu's review decisions.
//
// The private key is made by Web Crypto as non-extractable and kept in this browser's
// IndexedDB: no script (ours included) can read its bytes, and it never leaves the device.
// What the server receives is the public key line (`ssh-ed25519 AAAA… comment`, for the
// station file) and, per decision, an armored signature that `ssh-keygen -Y verify`
// accepts exactly like one made by `ssh-keygen -Y sign -n louyu-review`.
//
// The SSHSIG format (OpenSSH PROTOCOL.sshsig):
//   signed data = "SSHSIG" string(namespace) string(reserved="") string(hash_alg) string(H(message))
//   blob        = "SSHSIG" uint32(1) string(publickey) string(namespace) string(reserved)
//                 string(hash_alg) string(signature)
// where publickey = string("ssh-ed25519") string(32 bytes) and
//       signature = string("ssh-ed25519") string(64 bytes).

export const NAMESPACE = "louyu-review";
const DB_NAME = "louyu-desk";
const STORE = "keys";
const enc = new TextEncoder();

/** Whether this browser signs with Ed25519 in Web Crypto (a secure context is needed too). */
export async function supported() {
  if (!globalThis.isSecureContext || !globalThis.crypto || !crypto.subtle || !globalThis.indexedDB) return false;
  try {
    await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    return true;
  } catch (e) {
    return false;
  }
}

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function request(mode, action) {
  return openDb().then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = action(tx.objectStore(STORE));
    tx.oncomplete = () => { db.close(); resolve(req.result); };
    tx.onerror = tx.onabort = () => { db.close(); reject(tx.error); };
  }));
}

/** The key pair stored for `who` (a staff id) in this browser, or null. */
export async function loadKey(who) {
  const pair = await request("readonly", (store) => store.get(who));
  return pair || null;
}

/** A new key pair for `who`, stored in this browser (replacing any earlier one). */
export async function createKey(who) {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  await request("readwrite", (store) => store.put({ privateKey: pair.privateKey, publicKey: pair.publicKey }, who));
  return pair;
}

/** Forget the key of `who` in this browser. */
export async function forgetKey(who) {
  await request("readwrite", (store) => store.delete(who));
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function u32(n) {
  return new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

// An SSH wire `string`: uint32 length, then the bytes.
function sshString(bytes) {
  const b = typeof bytes === "string" ? enc.encode(bytes) : bytes;
  return concat([u32(b.length), b]);
}

function base64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function publicBlob(publicKey) {
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", publicKey));
  return concat([sshString("ssh-ed25519"), sshString(raw)]);
}

/** The OpenSSH public key line of a key pair: `ssh-ed25519 AAAA… comment`. */
export async function publicKeyLine(pair, comment) {
  const line = "ssh-ed25519 " + base64(await publicBlob(pair.publicKey));
  return comment ? line + " " + comment : line;
}

/** An armored SSHSIG signature of `message` (a string, signed as its UTF-8 bytes, or bytes). */
export async function sign(pair, message, namespace = NAMESPACE) {
  const bytes = typeof message === "string" ? enc.encode(message) : message;
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-512", bytes));
  const magic = enc.encode("SSHSIG");
  const signed = concat([magic, sshString(namespace), sshString(""), sshString("sha512"), sshString(hash)]);
  const raw = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, signed));
  const blob = concat([
    magic, u32(1), sshString(await publicBlob(pair.publicKey)), sshString(namespace), sshString(""),
    sshString("sha512"), sshString(concat([sshString("ssh-ed25519"), sshString(raw)])),
  ]);
  const b64 = base64(blob).match(/.{1,70}/g).join("\n");
  return "-----BEGIN SSH SIGNATURE-----\n" + b64 + "\n-----END SSH SIGNATURE-----\n";
}
