/**
 * The SBOM's serial number and its BOM-links (CycloneDX §serialNumber, §BOM-Link). The serial is
 * a UUIDv5 of the document's own canonical form, so the same workspace state always gets the same
 * serial (the export is byte-identical across runs) and any change of content gets another.
 */
import { createHash } from "node:crypto";

/** The serial the document is built with to derive its real one (links included). */
export const NIL_SERIAL = "urn:uuid:00000000-0000-0000-0000-000000000000";

/** RFC 4122 §Appendix C: the namespace for names that are URLs. */
const URL_NAMESPACE = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";

/** RFC 4122 §4.3: a name-based UUID, version 5 (SHA-1). */
export function uuidV5(namespace: string, name: string): string {
  const bytes = createHash("sha1")
    .update(Buffer.from(namespace.replaceAll("-", ""), "hex"))
    .update(name, "utf8")
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** RTT's own namespace for SBOM serials, itself named by a URL. */
const SBOM_NAMESPACE = uuidV5(URL_NAMESPACE, "https://rtt/spec/v1/sbom");

/** The serial of a document whose canonical form (built with NIL_SERIAL) is `canonical`. */
export function contentSerial(canonical: string): string {
  return `urn:uuid:${uuidV5(SBOM_NAMESPACE, canonical)}`;
}

/**
 * A BOM-link to the element `bomRef` of version 1 of the document `serial`. The bom-ref is
 * percent-encoded: a SADDR's own `#` (and `:`, `/`, `@`) would otherwise end or split the
 * link's fragment.
 */
export function bomLink(serial: string, bomRef: string): string {
  return `urn:cdx:${serial.slice("urn:uuid:".length)}/1#${encodeURIComponent(bomRef)}`;
}
