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
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

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
}

if (import.meta.main) {
  generateProtoTypes();
  process.stdout.write(`wrote ${GENERATED_DIR}\n`);
}
