/**
 * Generates packages/connector-sdk/src/generated/: TypeScript types for RTT's wire contracts,
 * proto/rtt/v1/connector.proto and panel.proto, written by the `proto-loader-gen-types` CLI
 * that ships inside
 * @grpc/proto-loader (no protoc download). The .proto file is the one source of the wire
 * contract; run `npm run generate` after changing it, and `proto-types.test.ts` fails until
 * the committed files match a fresh generation.
 *
 * The options here and LOADER_OPTIONS in src/proto.ts must agree: the types describe what
 * proto-loader hands over at run time (snake_case names, 64-bit integers as numbers, enums as
 * strings, defaults filled in, oneofs as a virtual `kind` field).
 */
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** The panel's contract as protobufjs JSON, which clients load instead of parsing panel.proto. */
export const PANEL_DESCRIPTOR = "panel.descriptor.json";
/** The drivers' contract as protobufjs JSON: the framed control channel's Connector methods. */
export const CONNECTOR_DESCRIPTOR = "connector.descriptor.json";

/** The repository root: the CLI records the .proto path relative to its working folder. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const GENERATED_DIR = fileURLToPath(new URL("../src/generated/", import.meta.url));
export const PROTO_FILES = ["rtt/v1/connector.proto", "rtt/v1/panel.proto"] as const;

export function generateProtoTypes(outDir: string = GENERATED_DIR): void {
  const cli = require.resolve("@grpc/proto-loader/build/bin/proto-loader-gen-types.js");
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      cli,
      "--keepCase",
      "--longs=Number",
      "--enums=String",
      "--defaults",
      "--oneofs",
      "--includeComments",
      "--grpcLib=@grpc/grpc-js",
      "--importFileExtension=.ts",
      "-I",
      "proto",
      "-O",
      outDir,
      ...PROTO_FILES,
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "inherit"] },
  );
  writeDescriptor(PROTO_FILES[1], join(outDir, PANEL_DESCRIPTOR));
  writeDescriptor(PROTO_FILES[0], join(outDir, CONNECTOR_DESCRIPTOR));
}

/**
 * A .proto parsed as proto-loader parses it (field names as written), in protobufjs's JSON
 * form: `rtt panel status` loads panel.proto's in a fraction of the time parsing the .proto text
 * takes (wire.ts `panelPackage`), and the framed control channel reads its method tables from
 * both (framed/messages.ts). protobufjs is proto-loader's own, resolved through it.
 */
function writeDescriptor(protoFile: string, path: string): void {
  const fromLoader = createRequire(require.resolve("@grpc/proto-loader"));
  const protobuf = fromLoader("protobufjs") as {
    Root: new () => { loadSync(file: string, options: object): { toJSON(): object } };
  };
  const root = new protobuf.Root().loadSync(join(REPO_ROOT, "proto", protoFile), {
    keepCase: true,
  });
  writeFileSync(path, `${JSON.stringify(root.toJSON(), null, 2)}\n`);
}

if (import.meta.main) {
  generateProtoTypes();
  process.stdout.write(`wrote ${GENERATED_DIR}\n`);
}
