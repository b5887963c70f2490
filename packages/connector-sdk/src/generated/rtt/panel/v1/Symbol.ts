// Original file: proto/rtt/v1/panel.proto


export interface Symbol {
  /**
   * The concrete address, in normal form.
   */
  'saddr'?: (string);
  /**
   * The symbol type ("api", "bus", "hook", "extension", ...).
   */
  'type'?: (string);
  /**
   * The manifest's tags merged with `.rtttags` sidecars.
   */
  'tags'?: ({[key: string]: string});
  /**
   * The contract's SHA-256 (RFC 8785 form, tags and x- keys excluded): 32 raw bytes.
   */
  'contract_hash'?: (Buffer | Uint8Array | string);
  /**
   * "provider", "consumer" or "both".
   */
  'direction'?: (string);
  /**
   * The I/O mode ("req", "pubsub", "stream"); empty when the manifest names none.
   */
  'io'?: (string);
  /**
   * The declared capabilities, sorted.
   */
  'capabilities'?: (string)[];
  /**
   * The declaring file (a manifest, or the file an indexer found it in), relative to the
   * workspace root.
   */
  'source_file'?: (string);
  /**
   * The key id (hex) that signed its manifest; empty when the manifest is unsigned.
   */
  'signed_by'?: (string);
  /**
   * Whether that key is one of the workspace's trusted keys (`.rtt/trust/`).
   */
  'signer_trusted'?: (boolean);
  /**
   * Who found it: "manifest", or "indexer:NAME" for a discovered symbol (ADR 0026).
   */
  'found_by'?: (string);
  /**
   * How sure the finder is: 1 for a manifest, below 1 for an indexer's claim.
   */
  'score'?: (number | string);
  /**
   * The line of source_file an indexer found it at; 0 for a manifest (the whole file).
   */
  'source_line'?: (number);
}

export interface Symbol__Output {
  /**
   * The concrete address, in normal form.
   */
  'saddr': (string);
  /**
   * The symbol type ("api", "bus", "hook", "extension", ...).
   */
  'type': (string);
  /**
   * The manifest's tags merged with `.rtttags` sidecars.
   */
  'tags': ({[key: string]: string});
  /**
   * The contract's SHA-256 (RFC 8785 form, tags and x- keys excluded): 32 raw bytes.
   */
  'contract_hash': (Buffer);
  /**
   * "provider", "consumer" or "both".
   */
  'direction': (string);
  /**
   * The I/O mode ("req", "pubsub", "stream"); empty when the manifest names none.
   */
  'io': (string);
  /**
   * The declared capabilities, sorted.
   */
  'capabilities': (string)[];
  /**
   * The declaring file (a manifest, or the file an indexer found it in), relative to the
   * workspace root.
   */
  'source_file': (string);
  /**
   * The key id (hex) that signed its manifest; empty when the manifest is unsigned.
   */
  'signed_by': (string);
  /**
   * Whether that key is one of the workspace's trusted keys (`.rtt/trust/`).
   */
  'signer_trusted': (boolean);
  /**
   * Who found it: "manifest", or "indexer:NAME" for a discovered symbol (ADR 0026).
   */
  'found_by': (string);
  /**
   * How sure the finder is: 1 for a manifest, below 1 for an indexer's claim.
   */
  'score': (number);
  /**
   * The line of source_file an indexer found it at; 0 for a manifest (the whole file).
   */
  'source_line': (number);
}
