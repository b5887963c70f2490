/**
 * Server reflection's descriptors of panel.proto as protoc would write them. The descriptors
 * proto-loader keeps (made by protobufjs) call the entry type of `map<…> tags` `Tags`; protobuf's
 * own descriptor builders (C++ and so Python, Go and so grpcurl) refuse any name but `TagsEntry`
 * ("map_entry should not be set explicitly", "incorrect implicit map entry name"), so without
 * this a reflecting client could list the panel's services but not use them.
 */
import { createRequire } from "node:module";
import type { panelPackageDefinition } from "@rtt/connector-sdk";
import type { IDescriptorProto, IFileDescriptorProto } from "protobufjs/ext/descriptor/index.js";

// A CommonJS module whose exports Node cannot name statically: required, not imported.
const { FileDescriptorProto } = createRequire(import.meta.url)(
  "protobufjs/ext/descriptor",
) as typeof import("protobufjs/ext/descriptor/index.js");

type PackageDefinition = ReturnType<typeof panelPackageDefinition>;

/** protoc's name of a map field's entry type: `tags` → `TagsEntry`, `by_route` → `ByRouteEntry`. */
function mapEntryName(field: string): string {
  const camel = field.replace(/_+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  return `${camel.charAt(0).toUpperCase()}${camel.slice(1)}Entry`;
}

/** Renames the map entry types nested in `m` (and deeper) to protoc's names, in place. */
function renameMapEntries(m: IDescriptorProto): void {
  for (const nested of m.nestedType ?? []) {
    renameMapEntries(nested);
    if (nested.options?.mapEntry !== true || nested.name === undefined) continue;
    const old = nested.name;
    const field = (m.field ?? []).find((f) => f.typeName?.split(".").at(-1) === old);
    if (field?.name === undefined || field.typeName === undefined) continue;
    nested.name = mapEntryName(field.name);
    field.typeName = `${field.typeName.slice(0, field.typeName.length - old.length)}${nested.name}`;
  }
}

/** `definition` with each file descriptor's map entry types named as protoc names them. */
export function withProtocMapEntries(definition: PackageDefinition): PackageDefinition {
  const fixed = new Map<Buffer, Buffer>();
  const fix = (bin: Buffer): Buffer => {
    let out = fixed.get(bin);
    if (out === undefined) {
      const file = FileDescriptorProto.decode(bin) as unknown as IFileDescriptorProto;
      for (const m of file.messageType ?? []) renameMapEntries(m);
      out = Buffer.from(FileDescriptorProto.encode(file).finish());
      fixed.set(bin, out);
    }
    return out;
  };
  const out: PackageDefinition = {};
  for (const [name, value] of Object.entries(definition)) {
    // Message and enum definitions carry their file's descriptors; a service's do not.
    const files = (value as { fileDescriptorProtos?: unknown }).fileDescriptorProtos;
    out[name] = Array.isArray(files)
      ? ({ ...value, fileDescriptorProtos: (files as Buffer[]).map(fix) } as typeof value)
      : value;
  }
  return out;
}
