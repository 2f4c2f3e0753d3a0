/**
 * Which key decrypts what Harbor stored encrypted in its database, tried without ever showing a
 * value. Harbor's ReversibleEncrypt (goharbor/harbor src/common/utils/encrypt.go, alike in 1.4
 * and 2.x): "<enc-v1>" + base64(IV (16 bytes) || AES-CFB(plaintext)), the AES key being the
 * secretkey file's bytes as they are (16 characters: AES-128). CFB has no MAC, so any key of the
 * right length "decrypts": a key is judged to decrypt a value when every value comes out as
 * printable UTF-8 text, which a wrong key gives for a password of n characters with a chance
 * below (95/256)^n (1 in 2,800 for 8). Pure.
 */
import { createDecipheriv } from "node:crypto";

export const HARBOR_ENCRYPTION_HEADER = "<enc-v1>";

/** A value Harbor stored encrypted: where (table and key), and the stored text. */
export interface EncryptedSetting {
  key: string;
  stored: string;
}

/** The plaintext Harbor would read, or undefined when the key cannot be used at all (wrong length, bad base64). */
export function harborDecrypt(stored: string, key: string): Buffer | undefined {
  if (!stored.startsWith(HARBOR_ENCRYPTION_HEADER)) return undefined;
  const keyBytes = Buffer.from(key, "utf8");
  const algorithm = { 16: "aes-128-cfb", 24: "aes-192-cfb", 32: "aes-256-cfb" }[keyBytes.length];
  if (algorithm === undefined) return undefined;
  const raw = Buffer.from(stored.slice(HARBOR_ENCRYPTION_HEADER.length), "base64");
  if (raw.length < 16) return undefined;
  const decipher = createDecipheriv(algorithm, keyBytes, raw.subarray(0, 16));
  return Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]);
}

/** Whether `key` turns every encrypted setting into printable text (no value kept or returned). */
export function keyDecryptsAll(settings: readonly EncryptedSetting[], key: string): boolean {
  return settings.length > 0 && settings.every((s) => isPrintableText(harborDecrypt(s.stored, key)));
}

function isPrintableText(plain: Buffer | undefined): boolean {
  if (plain === undefined) return false;
  const text = plain.toString("utf8");
  if (Buffer.from(text, "utf8").compare(plain) !== 0) return false; // not valid UTF-8
  return !/[\u0000-\u001f\u007f\ufffd]/.test(text);
}
