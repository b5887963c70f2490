/**
 * Test-only: fast-check arbitraries for SADDR addresses, shared by the saddr, validate,
 * route-expr and rtttags tests. Each generated address comes with what the parser must make of
 * it (the parsed value and the normal form), computed here from the grammar in ADR 0004,
 * not by calling the parser.
 */
import fc from "fast-check";
import { IO_MODES, type IoMode, type Saddr, type SaddrForm, SYMBOL_TYPES } from "../saddr.ts";

/** A literal segment: lowercase, starts with a letter or digit. */
export const segment: fc.Arbitrary<string> = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,7}$/);

/** A segment holding at least one `*`. */
export const globSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constant("*"),
  segment.map((s) => `${s}*`),
  fc.stringMatching(/^[a-z0-9._-]{1,5}$/).map((s) => `*${s}`),
  fc.tuple(segment, fc.stringMatching(/^[a-z0-9._-]{1,5}$/)).map(([a, b]) => `${a}*${b}`),
);

const number = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999 }));
const prereleaseId = fc.oneof(
  number.map(String),
  fc.stringMatching(/^[0-9]{0,2}[a-zA-Z-][0-9a-zA-Z-]{0,5}$/),
);
const buildId = fc.stringMatching(/^[0-9a-zA-Z-]{1,6}$/);

/** An exact SemVer 2.0.0 version, with optional prerelease and build parts. */
export const exactVersion: fc.Arbitrary<string> = fc
  .tuple(
    number,
    number,
    number,
    fc.option(fc.array(prereleaseId, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    fc.option(fc.array(buildId, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  )
  .map(([major, minor, patch, pre, build]) => {
    let v = `${major}.${minor}.${patch}`;
    if (pre !== undefined) v += `-${pre.join(".")}`;
    if (build !== undefined) v += `+${build.join(".")}`;
    return v;
  });

const spaces = fc.stringMatching(/^ {1,3}$/);

/** A version that is not exact: partial or a range. `raw` may hold runs of spaces. */
export const rangeVersion: fc.Arbitrary<{ raw: string; normal: string }> = fc
  .tuple(fc.integer({ min: 0, max: 20 }), number, number, spaces, fc.nat({ max: 9 }))
  .map(([major, minor, patch, gap, pick]) => {
    const next = major + 1;
    const templates: [string, string][] = [
      [`${major}`, `${major}`],
      [`${major}.${minor}`, `${major}.${minor}`],
      [`^${major}.${minor}`, `^${major}.${minor}`],
      [`~${major}.${minor}.${patch}`, `~${major}.${minor}.${patch}`],
      [`>=${major}.${minor}${gap}<${next}.0`, `>=${major}.${minor} <${next}.0`],
      [`${major}.x`, `${major}.x`],
      [`${major}.${minor}.x`, `${major}.${minor}.x`],
      ["*", "*"],
      [`${major}${gap}||${gap}${next}`, `${major} || ${next}`],
      [
        `${major}.${minor}.${patch}${gap}-${gap}${next}.0.0`,
        `${major}.${minor}.${patch} - ${next}.0.0`,
      ],
    ];
    const [raw, normal] = templates[pick % templates.length] as [string, string];
    return { raw, normal };
  });

export interface GeneratedAddress {
  /** The text as a user might write it: any scheme case, unsorted and repeated caps. */
  readonly text: string;
  /** What parseSaddr must return for it. */
  readonly address: Saddr;
  /** What normalizeSaddr must return for it. */
  readonly normal: string;
}

interface Parts {
  readonly scheme: string;
  readonly namespace: string;
  readonly type: string;
  readonly name: string;
  readonly version: { raw: string; normal: string; exact: boolean } | undefined;
  readonly variant: string | undefined;
  readonly caps: readonly string[];
  readonly io: IoMode | undefined;
  readonly ioFirst: boolean;
  readonly emptyQuery: boolean;
}

function build(form: SaddrForm, p: Parts): GeneratedAddress {
  let text = `${p.scheme}${p.namespace}/${p.type}/${p.name}`;
  let normal = `rtt://${p.namespace}/${p.type}/${p.name}`;
  if (p.version !== undefined) {
    text += `@${p.version.raw}`;
    normal += `@${p.version.normal}`;
  }
  if (p.variant !== undefined) {
    text += `#${p.variant}`;
    normal += `#${p.variant}`;
  }
  const caps = [...new Set(p.caps)].sort();
  const rawQuery: string[] = [];
  if (p.caps.length > 0) rawQuery.push(`caps=${p.caps.join(",")}`);
  if (p.io !== undefined) rawQuery.push(`io=${p.io}`);
  if (p.ioFirst) rawQuery.reverse();
  if (rawQuery.length > 0) text += `?${rawQuery.join("&")}`;
  else if (p.emptyQuery) text += "?";
  const normalQuery: string[] = [];
  if (caps.length > 0) normalQuery.push(`caps=${caps.join(",")}`);
  if (p.io !== undefined) normalQuery.push(`io=${p.io}`);
  if (normalQuery.length > 0) normal += `?${normalQuery.join("&")}`;
  const address = {
    form,
    namespace: p.namespace,
    type: p.type,
    name: p.name,
    ...(p.version === undefined ? {} : { version: p.version.normal }),
    ...(p.variant === undefined ? {} : { variant: p.variant }),
    caps,
    ...(p.io === undefined ? {} : { io: p.io }),
  } as Saddr;
  return { text, address, normal };
}

const scheme = fc.constantFrom("rtt://", "RTT://", "Rtt://");
const symbolType = fc.constantFrom(...SYMBOL_TYPES);
const ioMode = fc.option(fc.constantFrom(...IO_MODES), { nil: undefined });
/** Caps as written: repeats and any order allowed. */
const rawCaps = fc
  .array(segment, { maxLength: 3 })
  .chain((base) => fc.shuffledSubarray([...base, ...base], { minLength: base.length }));
const exact = exactVersion.map((v) => ({ raw: v, normal: v, exact: true }));
const range = rangeVersion.map((v) => ({ ...v, exact: false }));

export interface AddressOptions {
  /** Generate no `?caps=`/`?io=` query (a manifest's own address has none). */
  readonly noQuery?: boolean;
}

/** A concrete or a reference address (no globs): the two differ only in their version. */
function plainAddress(
  form: "concrete" | "reference",
  version: fc.Arbitrary<Parts["version"]>,
  options: AddressOptions,
): fc.Arbitrary<GeneratedAddress> {
  return fc
    .record({
      scheme,
      namespace: segment,
      type: symbolType,
      name: segment,
      version,
      variant: fc.option(segment, { nil: undefined }),
      caps: options.noQuery === true ? fc.constant([]) : rawCaps,
      io: options.noQuery === true ? fc.constant(undefined) : ioMode,
      ioFirst: fc.boolean(),
      emptyQuery: fc.boolean(),
    })
    .map((p) => build(form, p));
}

export function concreteAddress(options: AddressOptions = {}): fc.Arbitrary<GeneratedAddress> {
  return plainAddress("concrete", exact, options);
}

export function referenceAddress(options: AddressOptions = {}): fc.Arbitrary<GeneratedAddress> {
  return plainAddress("reference", fc.option(range, { nil: undefined }), options);
}

export function patternAddress(): fc.Arbitrary<GeneratedAddress> {
  // At least one of namespace, type, name and variant is a glob; the others may be.
  return fc
    .tuple(fc.nat({ max: 3 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }))
    .chain(([forced, flags]) => {
      const glob = (i: number) => i === forced || flags[i] === true;
      return fc
        .record({
          scheme,
          namespace: glob(0) ? globSegment : segment,
          type: glob(1) ? globSegment : symbolType,
          name: glob(2) ? globSegment : segment,
          version: fc.option(fc.oneof(exact, range), { nil: undefined }),
          variant: glob(3) ? globSegment : fc.option(segment, { nil: undefined }),
          caps: rawCaps,
          io: ioMode,
          ioFirst: fc.boolean(),
          emptyQuery: fc.boolean(),
        })
        .map((p) => build("pattern", p));
    });
}

export function anyAddress(): fc.Arbitrary<GeneratedAddress> {
  return fc.oneof(concreteAddress(), referenceAddress(), patternAddress());
}

/** Characters that stress the grammar when inserted into or swapped for a valid address. */
export const grammarChar: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(..."@#?&=,/*.:_-^~<>|+ 019azAZ\t\n\u0000é€"),
  fc.constantFrom("😀", "\ud800", "\udc00"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);

/** A valid address with one character inserted, deleted or replaced. */
export const mutatedAddress: fc.Arbitrary<string> = fc
  .tuple(anyAddress(), fc.nat(), fc.constantFrom("insert", "delete", "replace"), grammarChar)
  .map(([{ text }, at, how, c]) => {
    const i = at % (text.length + 1);
    if (how === "insert") return text.slice(0, i) + c + text.slice(i);
    if (how === "delete") return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + c + text.slice(i + 1);
  });
